import Flowcraft
import Testing

/// `RunInspection`, `RunGraphStates` and `RunReplay` over hand-made events.
@Suite("Run history derivations (inspect, graph states, replay)")
struct RunHistoryDerivationTests {
    typealias E = RunHistoryEvent

    func node(
        _ id: String, _ status: E.NodeExecutionStatus = .completed, start: Int64, end: Int64, errors: [String?] = [nil],
        action: String? = nil, fallback: String? = nil, writes: [String: JSONValue] = [:], child: String? = nil,
        error: String? = nil
    ) -> E.Kind {
        let step = errors.isEmpty ? 0 : (end - start) / Int64(errors.count)
        let attempts = errors.enumerated().map { i, e in
            E.Attempt(startedAt: start + Int64(i) * step, endedAt: start + Int64(i + 1) * step, error: e)
        }
        return .nodeFinished(E.NodeExecution(
            nodeID: id, status: status, attempts: attempts, action: action, fallbackNodeID: fallback,
            writes: writes, childRunID: child, error: error,
            errorLocation: error == nil ? nil : SourceLocation(file: "flow.yaml", line: 12, column: 5)))
    }

    func events(_ kinds: [(Int64, E.Kind)]) -> [E] {
        kinds.enumerated().map { E(sequence: $0.offset + 1, time: $0.element.0, kind: $0.element.1) }
    }

    func plan(_ nodes: [String], _ edges: [(String, String, String?)], fallbacks: [String: String] = [:]) throws -> CompiledBlueprint {
        try CompiledBlueprint(WorkflowBlueprint(
            id: "p",
            nodes: nodes.map { NodeDefinition(id: $0, uses: "x", config: NodeConfig(fallback: fallbacks[$0])) },
            edges: edges.map { EdgeDefinition(source: $0.0, target: $0.1, action: $0.2) }))
    }

    @Test func inspectionBuildsTheTimelinePausesContextAndChildren() async throws {
        let history = events([
            (1_000, .runStarted(E.RunStart(blueprintID: "p", context: ["order": 7, "_flowcraft.x": 1]))),
            (1_100, node("a", start: 1_010, end: 1_090, errors: ["boom", "boom", nil], writes: ["a": 1])),
            (1_200, node("b", .recovered, start: 1_100, end: 1_150, errors: ["bad"], fallback: "bFallback", writes: ["b": 2])),
            (1_300, .paused(nodes: ["approve"])),
            (5_000, .resumed(nodeID: "approve", action: "yes")),
            (5_100, node("sub", start: 5_000, end: 5_100, child: "run-1.sub")),
            (5_200, node("c", .failed, start: 5_150, end: 5_200, errors: ["no"], error: "node 'c' failed after 1 attempt: no")),
            (5_200, .runEnded(E.RunEnd(status: .failed, failedNodeID: "c", error: "no"))),
        ])
        let summary = RunSummary(runID: "run-1", blueprintID: "p", status: .failed, startedAt: 1_000, endedAt: 5_200, failedNodeID: "c")
        let child = RunSummary(runID: "run-1.sub", blueprintID: "q", status: .completed, startedAt: 5_010, endedAt: 5_090,
                               parentRunID: "run-1", parentNodeID: "sub")
        let reader = FixedReader(runs: [summary, child], events: [
            "run-1": history,
            "run-1.sub": events([(5_010, .runStarted(E.RunStart(blueprintID: "q", parentRunID: "run-1", context: [:])))]),
        ])
        let inspection = try #require(try await RunInspection.load("run-1", from: reader))
        #expect(inspection.timeline.map(\.nodeID) == ["a", "b", "sub", "c"])
        let a = inspection.timeline[0]
        #expect(a.attempts == 3 && a.attemptErrors == ["boom", "boom", nil])
        #expect(a.startOffsetMs == 10 && a.durationMs == 78)
        #expect(inspection.timeline[1].status == .recovered && inspection.timeline[1].fallbackNodeID == "bFallback")
        let c = inspection.timeline[3]
        #expect(c.status == .failed && c.errorLocation == "flow.yaml:12:5" && c.error?.contains("no") == true)
        #expect(inspection.pauses.map(\.kind) == [.paused, .resumed])
        #expect(inspection.pauses[1].action == "yes" && inspection.pauses[1].offsetMs == 4_000)
        #expect(inspection.context == ["order": 7, "a": 1, "b": 2])
        #expect(inspection.historyComplete)
        #expect(inspection.children.map(\.summary.runID) == ["run-1.sub"])
        #expect(try await RunInspection.load("nope", from: reader) == nil)
    }

    @Test func replayStopsAtTheGivenEvent() throws {
        let history = events([
            (0, .runStarted(E.RunStart(blueprintID: "p", context: ["n": 0]))),
            (1, node("a", start: 0, end: 1, writes: ["n": 1, "a": true])),
            (2, node("b", start: 1, end: 2, writes: ["n": 2])),
        ])
        let atTwo = try RunReplay(events: history, until: 2)
        #expect(atTwo.context == ["n": 1, "a": true] && atTwo.untilSequence == 2 && atTwo.appliedNodes == ["a"])
        let all = try RunReplay(events: history)
        #expect(all.context == ["n": 2, "a": true] && all.lastSequence == 3)
        #expect(throws: RunReplay.Failure.self) { try RunReplay(events: history, until: 0) }
        #expect(throws: RunReplay.Failure.self) { try RunReplay(events: [], until: nil) }
        // The start event dropped by the cap: the replay says it is incomplete.
        #expect(try RunReplay(events: Array(history.dropFirst())).complete == false)
        // An event the cap dropped cannot be replayed to (found by review: it silently showed "event 0").
        let capped = Array(history.dropFirst())
        #expect(try RunReplay(events: capped, until: 2).untilSequence == 2)
        #expect { try RunReplay(events: capped, until: 1) } throws: { error in
            (error as? RunReplay.Failure)?.description == "event 1 was dropped by the history cap: the oldest event kept is 2 (of 3)"
        }
    }

    @Test func graphStatesMarkEveryKindOfNode() throws {
        // s -left-> a -> j ; s -right-> b -> j ; j -> w -> end ; f is c's fallback ; s -> c -> d
        let p = try plan(
            ["s", "a", "b", "j", "w", "end", "c", "cf", "d", "x"],
            [("s", "a", "left"), ("s", "b", "right"), ("a", "j", nil), ("b", "j", nil), ("j", "w", nil), ("w", "end", nil),
             ("s", "c", "left"), ("c", "d", nil), ("d", "x", nil)],
            fallbacks: ["c": "cf"])
        let history = events([
            (0, .runStarted(E.RunStart(blueprintID: "p", context: [:]))),
            (1, node("s", start: 0, end: 1, action: "left")),
            (2, node("a", start: 1, end: 2)),
            (3, node("c", .recovered, start: 1, end: 3, errors: ["x"], fallback: "cf")),
            (4, node("j", start: 3, end: 4)),
            (5, .paused(nodes: ["w"])),
        ])
        let summary = RunSummary(runID: "r", blueprintID: "p", status: .waiting, startedAt: 0)
        let states = RunGraphStates(plan: p, summary: summary, events: history)
        #expect(states.nodes["s"] == .completed && states.nodes["a"] == .completed && states.nodes["j"] == .completed)
        #expect(states.nodes["b"] == .skipped)
        #expect(states.nodes["c"] == .failed && states.nodes["cf"] == .completed)
        #expect(states.nodes["w"] == .waiting)
        #expect(states.nodes["d"] == .running)
        #expect(states.nodes["end"] == .notReached && states.nodes["x"] == .notReached)
        let taken = Set(states.takenEdges.map { "\(p.nodes[p.edges[$0].source].id)->\(p.nodes[p.edges[$0].target].id)" })
        #expect(taken == ["s->a", "s->c", "a->j", "j->w", "c->d"])

        // The same run failed at d: nothing runs any more; d failed, x is not reached.
        var failed = Array(history.dropLast())
        failed.append(E(sequence: 6, time: 6, kind: node("d", .failed, start: 5, end: 6, errors: ["y"], error: "y")))
        let ended = RunGraphStates(
            plan: p, summary: RunSummary(runID: "r", blueprintID: "p", status: .failed, startedAt: 0, failedNodeID: "d"),
            events: failed)
        #expect(ended.nodes["d"] == .failed && ended.nodes["x"] == .notReached && ended.nodes["w"] == .notReached)

        // A run that failed at s after s finished (an action no edge routes: NO_ROUTE) draws s failed
        // (found by review: it was drawn completed, nothing red).
        let unrouted = RunGraphStates(
            plan: p, summary: RunSummary(runID: "r", blueprintID: "p", status: .failed, startedAt: 0, failedNodeID: "s"),
            events: Array(history.prefix(1)) + [E(sequence: 2, time: 1, kind: node("s", start: 0, end: 1, action: "maybe"))])
        #expect(unrouted.nodes["s"] == .failed)
    }

    @Test func graphStatesNameRecoveredAndWaitingNodesAndForgetRedrivenExecutions() throws {
        // a -> b -> c ; b's fallback is bf ; a -> w (a wait node)
        let p = try plan(["a", "b", "bf", "c", "w"], [("a", "b", nil), ("b", "c", nil), ("a", "w", nil)], fallbacks: ["b": "bf"])
        let start = (Int64(0), E.Kind.runStarted(E.RunStart(blueprintID: "p", context: [:])))
        let waiting = RunGraphStates(
            plan: p, summary: RunSummary(runID: "r", blueprintID: "p", status: .waiting, startedAt: 0),
            events: events([start, (1, node("a", start: 0, end: 1)), (2, node("b", .recovered, start: 1, end: 2, errors: ["x"], fallback: "bf")),
                            (3, .paused(nodes: ["w"]))]))
        #expect(waiting.recoveredNodes == ["b"] && waiting.nodes["b"] == .failed && waiting.nodes["bf"] == .completed)
        #expect(waiting.waitingNodes == ["w"] && waiting.nodes["w"] == .waiting)
        #expect(RunGraphStates.waitingNodes(
            summary: RunSummary(runID: "r", blueprintID: "p", status: .completed, startedAt: 0),
            events: events([start, (1, .paused(nodes: ["w"]))])).isEmpty)

        // c failed, then the run was redriven from c: c runs again (not failed), its edge is taken.
        let redriven = RunGraphStates(
            plan: p, summary: RunSummary(runID: "r", blueprintID: "p", status: .running, startedAt: 0, failedNodeID: "c"),
            events: events([start, (1, node("a", start: 0, end: 1)), (2, node("b", start: 1, end: 2)),
                            (3, node("c", .failed, start: 2, end: 3, errors: ["y"], error: "y")), (4, .redriven(nodes: ["c"]))]))
        #expect(redriven.nodes["c"] == .running)
        #expect(redriven.recoveredNodes.isEmpty && redriven.waitingNodes.isEmpty)
    }
}

/// A reader over fixed runs and events.
struct FixedReader: RunHistoryReader {
    var runs: [RunSummary]
    var events: [String: [RunHistoryEvent]]

    func runs(_ query: RunQuery) async throws -> RunPage { RunPage(runs: runs, nextCursor: nil) }
    func run(_ runID: String) async throws -> RunSummary? { runs.first { $0.runID == runID } }
    func events(of runID: String) async throws -> [RunHistoryEvent] { events[runID] ?? [] }
}

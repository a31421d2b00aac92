import Flowcraft
import FlowcraftSQLite
import Foundation
import Testing

/// Each attempt of a node as the in-memory engine records it (the attempt loop reports the times and
/// errors, as in the distributed engine).
@Suite("In-memory engine attempt history")
struct AttemptHistoryTests {
    @Test func everyTimedOutAttemptNamesTheTimeout() async throws {
        let dir = try TemporaryDirectory()
        defer { dir.remove() }
        let history = try await SQLiteRunHistory(path: dir.path("h.sqlite"))
        var registry = NodeRegistry()
        registry.register("slow") { _ in
            try await Task.sleep(for: .seconds(30))
            return NodeResult(output: "late")
        }
        let runtime = try FlowRuntime(
            blueprints: [
                WorkflowBlueprint(
                    id: "slow",
                    nodes: [NodeDefinition(id: "wait", uses: "slow", config: NodeConfig(maxRetries: 2, timeout: 50))])
            ],
            registry: registry, options: FlowRuntime.Options(clock: VirtualClock(), history: history))
        let result = try await runtime.run("slow", runID: "t-1")
        #expect(result.status == .failed)
        await runtime.flushHistory()

        let events = try await history.events(of: "t-1")
        #expect(events.map(\.label) == ["start", "wait:failed", "end:failed"])
        let wait = try #require(events[1].execution)
        #expect(wait.attempts.map(\.error) == ["timed out after 50 ms", "timed out after 50 ms"])
        #expect(wait.error == "timed out after 50 ms")
    }

    /// A first attempt that succeeds lasts from the node's preparation to its completion; after a
    /// failure every attempt has its own times: the retries start after the backoff slept.
    @Test func retriedAttemptsStartAfterTheirBackoff() async throws {
        let clock = VirtualClock()
        let recorder = HistoryEquivalenceTests.CollectingRecorder()
        let runtime = try FlowRuntime(
            blueprints: EngineHistoryTests.blueprints, registry: EngineHistoryTests.registry(CallCounter()),
            options: FlowRuntime.Options(clock: clock, history: recorder))
        _ = try await runtime.run("orders", context: ["orderId": "A-1"], runID: "run-1")
        await runtime.flushHistory()

        let events = recorder.batches.withLock { $0 }.flatMap(\.events)
        let start = 1_700_000_000_000 as Int64
        let sleeps = clock.recordedSleeps
        #expect(sleeps.count == 2)
        let flaky = try #require(events.first { $0.execution?.nodeID == "flaky" }?.execution)
        #expect(
            flaky.attempts == [
                RunHistoryEvent.Attempt(startedAt: start, endedAt: start, error: "flaky attempt 1"),
                RunHistoryEvent.Attempt(
                    startedAt: start + sleeps[0], endedAt: start + sleeps[0], error: "flaky attempt 2"),
                RunHistoryEvent.Attempt(startedAt: start + sleeps[0] + sleeps[1], endedAt: start + sleeps[0] + sleeps[1]),
            ])
        let risky = try #require(events.first { $0.execution?.nodeID == "risky" }?.execution)
        let now = start + sleeps[0] + sleeps[1]
        #expect(risky.attempts == [RunHistoryEvent.Attempt(startedAt: now, endedAt: now, error: "flaky attempt 0")])
        #expect(risky.error == "flaky attempt 0")
        #expect(events.last?.time == now)
    }

    /// A run handing its history over every event (batch size 1) records the same events, with the
    /// same writes, as one handing it over at the end.
    @Test func handOverEveryEventKeepsTheSameEvents() async throws {
        func events(batchSize: Int) async throws -> [String: [RunHistoryEvent]] {
            let recorder = HistoryEquivalenceTests.CollectingRecorder()
            let runtime = try FlowRuntime(
                blueprints: EngineHistoryTests.blueprints, registry: EngineHistoryTests.registry(CallCounter()),
                options: FlowRuntime.Options(clock: VirtualClock(), history: recorder, historyBatchSize: batchSize))
            let paused = try await runtime.run("orders", context: ["orderId": "A-1"], runID: "run-1")
            _ = try await runtime.resume(paused, action: "ok")
            await runtime.flushHistory()
            var runs: [String: [RunHistoryEvent]] = [:]
            for batch in recorder.batches.withLock({ $0 }) {
                runs[batch.summary.runID, default: []].append(contentsOf: batch.events.map(Self.timeless))
            }
            return runs
        }
        let one = try await events(batchSize: 1)
        let all = try await events(batchSize: 1000)
        #expect(one["run-1"]?.count == 10)
        #expect(one["run-1/child#0"]?.count == 3)
        #expect(one == all)
    }

    /// The event without its times (retry jitter).
    static func timeless(_ event: RunHistoryEvent) -> RunHistoryEvent {
        var event = event
        event.time = 0
        if case .nodeFinished(var e) = event.kind {
            e.attempts = e.attempts.map { RunHistoryEvent.Attempt(startedAt: 0, endedAt: 0, error: $0.error) }
            event.kind = .nodeFinished(e)
        }
        return event
    }

    /// A chain reads the clock once per node: the next node is prepared at the reading that ended
    /// the previous one. The times stay those of each execution: every node's work (here, moving the
    /// virtual clock) lies inside its own attempt, and the run starts with its first node and ends
    /// with its last.
    @Test(arguments: [false, true])
    func chainNodesStartWhenThePreviousEndedAndEventHandlersAreNotCounted(withHandler: Bool) async throws {
        let clock = VirtualClock()
        let start = clock.now()
        var registry = NodeRegistry()
        registry.register("work") { _ in
            clock.advance(milliseconds: 10)
            return NodeResult(output: "done")
        }
        let recorder = HistoryEquivalenceTests.CollectingRecorder()
        var options = FlowRuntime.Options(clock: clock, history: recorder)
        // A handler that takes 100 ms per event: its time is nobody's attempt.
        if withHandler { options.eventHandler = { _ in clock.advance(milliseconds: 100) } }
        let runtime = try FlowRuntime(
            blueprints: [
                WorkflowBlueprint(
                    id: "chain", nodes: ["a", "b", "c"].map { NodeDefinition(id: $0, uses: "work") },
                    edges: [EdgeDefinition(source: "a", target: "b"), EdgeDefinition(source: "b", target: "c")])
            ],
            registry: registry, options: options)
        #expect(try await runtime.run("chain", runID: "clock-1").status == .completed)
        await runtime.flushHistory()

        let events = recorder.batches.withLock { $0 }.flatMap(\.events)
        #expect(events.map(\.label) == ["start", "a:completed", "b:completed", "c:completed", "end:completed"])
        let nodes = events.compactMap(\.execution)
        for node in nodes { #expect(node.attempts.count == 1) }
        let first = try #require(nodes.first?.startedAt)
        let last = try #require(nodes.last?.endedAt)
        let end = try #require(events.last?.time)
        if withHandler {
            // workflow:start and a's node:start ran before a; b's node:start before b (a's
            // node:finish and context changes come before a's outcome is recorded, as they always
            // did); workflow:finish before the end.
            #expect(events[0].time == start)
            #expect(first == start + 200)
            #expect(nodes[1].startedAt == nodes[0].endedAt.map { $0 + 100 })
            #expect(nodes[2].startedAt == nodes[1].endedAt.map { $0 + 100 })
            #expect(end == last + 100)
        } else {
            // The node's own 10 ms, and nothing else.
            for node in nodes { #expect(node.durationMs == 10, "\(node.nodeID)") }
            #expect(events[0].time == start)
            #expect(first == start)
            #expect(nodes[1].startedAt == nodes[0].endedAt)
            #expect(nodes[2].startedAt == nodes[1].endedAt)
            #expect(end == last)
        }
    }
}

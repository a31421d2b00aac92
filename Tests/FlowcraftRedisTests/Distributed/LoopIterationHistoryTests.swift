import Flowcraft
@testable import FlowcraftRedis
import Testing

/// Both engines number a node's executions by loop iteration in the run's history and give every
/// round's subflow call a child run of its own (`<run>/<node>#<iteration>`, ``SubflowRunID``).
/// Found by review: the in-memory engine recorded every execution as iteration 0 and named every
/// round's child run `<run>/<node>`, so each round's child history replaced the last one's.
@Suite("Loop iterations and child runs in both engines' history", .requiresRedis)
struct LoopIterationHistoryTests {
    typealias Support = DistributedTestSupport

    /// start → tick → call (subflow `leaf`) → rounds (loop-controller while `count < 3`);
    /// `continue` → tick, `break` → done.
    static let rounds = WorkflowBlueprint(
        id: "rounds",
        nodes: [
            NodeDefinition(id: "start", uses: "noop"), NodeDefinition(id: "tick", uses: "tick"),
            NodeDefinition(id: "call", uses: "subflow", params: ["blueprintId": "leaf"]),
            NodeDefinition(id: "rounds", uses: "loop-controller", params: ["condition": "count < 3"]),
            NodeDefinition(id: "done", uses: "noop"),
        ],
        edges: [
            EdgeDefinition(source: "start", target: "tick"), EdgeDefinition(source: "tick", target: "call"),
            EdgeDefinition(source: "call", target: "rounds"),
            EdgeDefinition(source: "rounds", target: "tick", action: "continue"),
            EdgeDefinition(source: "rounds", target: "done", action: "break"),
        ])
    static let leaf = WorkflowBlueprint(id: "leaf", nodes: [NodeDefinition(id: "inner", uses: "noop")], edges: [])

    static func registry() -> NodeRegistry {
        var registry = NodeRegistry()
        registry.register("noop") { ctx in NodeResult(output: .string(ctx.nodeID)) }
        registry.register("tick") { ctx in
            let count = (try await ctx.state.get("count"))?.intValue ?? 0
            try await ctx.state.set("count", .int(count + 1))
            return NodeResult(output: .int(count + 1))
        }
        return registry
    }

    /// Every run's node executions as `node#iteration` (sorted) and the child runs its subflow
    /// executions name, with the top run's id replaced by `RUN`.
    static func shape(_ events: [String: [RunHistoryEvent]], top: String) -> [String: [String]] {
        var shape: [String: [String]] = [:]
        for (runID, runEvents) in events {
            var lines: [String] = []
            for event in runEvents {
                guard case .nodeFinished(let e) = event.kind else { continue }
                lines.append("\(e.nodeID)#\(e.iteration)" + (e.childRunID.map { " -> " + $0.replacingOccurrences(of: top, with: "RUN") } ?? ""))
            }
            shape[runID.replacingOccurrences(of: top, with: "RUN")] = lines.sorted()
        }
        return shape
    }

    static let expected: [String: [String]] = [
        "RUN": [
            "call#0 -> RUN/call#0", "call#1 -> RUN/call#1", "call#2 -> RUN/call#2", "done#0", "rounds#0", "rounds#1",
            "rounds#2", "start#0", "tick#0", "tick#1", "tick#2",
        ],
        "RUN/call#0": ["inner#0"], "RUN/call#1": ["inner#0"], "RUN/call#2": ["inner#0"],
    ]

    /// A recorder keeping every run's events.
    @Test("in memory: each round's node executions carry its iteration and each round's call has its own child run")
    func inMemory() async throws {
        let collected = CollectedHistory()
        let runtime = try FlowRuntime(
            blueprints: [Self.rounds, Self.leaf], registry: Self.registry(), options: FlowRuntime.Options(history: collected))
        let result = try await runtime.run("rounds")
        await runtime.flushHistory()
        #expect(result.status == .completed)
        #expect(Self.shape(collected.eventsByRun, top: result.runID) == Self.expected)
    }

    @Test("distributed: the same iterations and child runs", arguments: [DistributedRetryMode.inProcess, .queue])
    func distributed(retryMode: DistributedRetryMode) async throws {
        let queue = Support.uniqueQueue("iterations")
        try await Support.withWorker(
            blueprints: [Self.rounds, Self.leaf], registry: Self.registry(), queue: queue, retryMode: retryMode
        ) { workflows, client in
            let runID = try await workflows.startWorkflow(blueprintID: "rounds")
            let final = try await workflows.result(runID, timeout: TestTiming.seconds(30))
            #expect(final.status == .completed, "\(final.json)")
            let history = RedisRunHistory(client: client, queueName: queue)
            var events: [String: [RunHistoryEvent]] = [runID: try await history.events(of: runID)]
            for round in 0..<3 {
                let child = SubflowRunID.child(of: runID, nodeID: "call", iteration: round)
                events[child] = try await history.events(of: child)
            }
            #expect(Self.shape(events, top: runID) == Self.expected)
        }
    }
}

import Flowcraft
@testable import FlowcraftRedis
import Testing

/// Both engines record every node execution of a batch (the scatter, each worker, the gather) and
/// of dynamic nodes (the spawner, each dynamic node) in the run's history. Found by review: the
/// distributed history had none of them but the gather, so `inspect`'s timeline left them out.
@Suite("Batch and dynamic node executions in both engines' history", .requiresRedis)
struct BatchAndDynamicHistoryTests {
    typealias Support = DistributedTestSupport

    /// items → scatter (3 `double` workers) → gather ; items → spawner (2 dynamic nodes) → after.
    static let blueprint = WorkflowBlueprint(
        id: "fanned",
        nodes: [
            NodeDefinition(id: "items", uses: "const"),
            NodeDefinition(id: "scatter", uses: "batch-scatter", params: ["workerUsesKey": "double", "gatherNodeId": "gather"]),
            NodeDefinition(id: "gather", uses: "batch-gather", params: ["gatherNodeId": "gather", "outputKey": "doubled"]),
            NodeDefinition(id: "spawner", uses: "spawn"), NodeDefinition(id: "after", uses: "noop"),
        ],
        edges: [
            EdgeDefinition(source: "items", target: "scatter"), EdgeDefinition(source: "scatter", target: "gather"),
            EdgeDefinition(source: "items", target: "spawner"), EdgeDefinition(source: "spawner", target: "after"),
        ])

    static func registry() -> NodeRegistry {
        var registry = NodeRegistry()
        registry.register("const") { _ in NodeResult(output: [1, 2, 3]) }
        registry.register("double") { ctx in NodeResult(output: .int((ctx.input.intValue ?? 0) * 2)) }
        registry.register("noop") { ctx in NodeResult(output: .string(ctx.nodeID)) }
        registry.register("spawn") { _ in
            NodeResult(output: "spawned", dynamicNodes: [NodeDefinition(id: "d1", uses: "noop"), NodeDefinition(id: "d2", uses: "noop")])
        }
        return registry
    }

    static let expected = [
        "after:completed", "d1:completed", "d2:completed", "double_scatter_0:completed", "double_scatter_1:completed",
        "double_scatter_2:completed", "gather:completed", "items:completed", "scatter:completed", "spawner:completed",
    ]

    static func executions(_ events: [RunHistoryEvent]) -> [String] {
        events.compactMap { event -> String? in
            guard case .nodeFinished(let e) = event.kind else { return nil }
            return "\(e.nodeID):\(e.status.rawValue)"
        }.sorted()
    }

    @Test("in memory")
    func inMemory() async throws {
        let collected = CollectedHistory()
        let runtime = try FlowRuntime(blueprints: [Self.blueprint], registry: Self.registry(), options: FlowRuntime.Options(history: collected))
        let result = try await runtime.run("fanned")
        await runtime.flushHistory()
        #expect(result.status == .completed)
        #expect(result.context["doubled"] == [2, 4, 6])
        #expect(Self.executions(collected.allEvents) == Self.expected)
    }

    @Test("distributed", arguments: [DistributedRetryMode.inProcess, .queue])
    func distributed(retryMode: DistributedRetryMode) async throws {
        let queue = Support.uniqueQueue("fanned")
        try await Support.withWorker(blueprints: [Self.blueprint], registry: Self.registry(), queue: queue, retryMode: retryMode) {
            workflows, client in
            let runID = try await workflows.startWorkflow(blueprintID: "fanned")
            let final = try await workflows.result(runID, timeout: TestTiming.seconds(30))
            #expect(final.status == .completed, "\(final.json)")
            #expect(final.context["doubled"] == [2, 4, 6])
            let events = try await RedisRunHistory(client: client, queueName: queue).events(of: runID)
            #expect(Self.executions(events) == Self.expected)
            // Each worker's record carries its output's key, as the in-memory one does.
            let worker = events.compactMap { event -> RunHistoryEvent.NodeExecution? in
                if case .nodeFinished(let e) = event.kind, e.nodeID == "double_scatter_1" { return e }
                return nil
            }.first
            #expect(worker?.writes["_outputs.double_scatter_1"] == 4, "\(String(describing: worker))")
        }
    }
}

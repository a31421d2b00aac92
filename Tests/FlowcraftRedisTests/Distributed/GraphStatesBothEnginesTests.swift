import Flowcraft
@testable import FlowcraftRedis
import Testing

/// `graph --run`'s states (``RunGraphStates``) from either engine's history: a node on a path whose
/// condition did not hold is skipped and its edge is not drawn taken, and the target of an unused
/// fallback is skipped, as the engines skip them. Found by review: both were drawn `not-reached`, and
/// an edge whose condition was false was drawn taken when its target ran by another edge.
@Suite("Graph states from both engines' history", .requiresRedis)
struct GraphStatesBothEnginesTests {
    typealias Support = DistributedTestSupport

    /// a → hi [n > 5] → afterhi → j ; a → lo [n <= 5] → j (any join) → end ; a → x [n > 5] ;
    /// lo → x (any join) ; a → risky (fallback rescue → rescued).
    static let blueprint = WorkflowBlueprint(
        id: "conditions",
        nodes: [
            NodeDefinition(id: "a", uses: "emit"), NodeDefinition(id: "hi", uses: "noop"),
            NodeDefinition(id: "afterhi", uses: "noop"), NodeDefinition(id: "lo", uses: "noop"),
            NodeDefinition(id: "j", uses: "noop", config: NodeConfig(joinStrategy: .any)),
            NodeDefinition(id: "end", uses: "noop"),
            NodeDefinition(id: "x", uses: "noop", config: NodeConfig(joinStrategy: .any)),
            NodeDefinition(id: "risky", uses: "noop", config: NodeConfig(fallback: "rescue")),
            NodeDefinition(id: "rescue", uses: "noop"), NodeDefinition(id: "rescued", uses: "noop"),
        ],
        edges: [
            EdgeDefinition(source: "a", target: "hi", condition: "result.output.n > 5"),
            EdgeDefinition(source: "hi", target: "afterhi"), EdgeDefinition(source: "afterhi", target: "j"),
            EdgeDefinition(source: "a", target: "lo", condition: "result.output.n <= 5"),
            EdgeDefinition(source: "lo", target: "j"), EdgeDefinition(source: "j", target: "end"),
            EdgeDefinition(source: "a", target: "x", condition: "result.output.n > 5"), EdgeDefinition(source: "lo", target: "x"),
            EdgeDefinition(source: "a", target: "risky"), EdgeDefinition(source: "rescue", target: "rescued"),
        ])

    static func registry() -> NodeRegistry {
        var registry = NodeRegistry()
        registry.register("noop") { ctx in NodeResult(output: .string(ctx.nodeID)) }
        registry.register("emit") { _ in NodeResult(output: ["n": 3]) }
        return registry
    }

    static let expectedNodes: [String: RunGraphStates.NodeState] = [
        "a": .completed, "hi": .skipped, "afterhi": .skipped, "lo": .completed, "j": .completed, "end": .completed,
        "x": .completed, "risky": .completed, "rescue": .notReached, "rescued": .skipped,
    ]
    static let expectedEdges: Set<String> = ["a->lo", "lo->j", "j->end", "lo->x", "a->risky"]

    static func check(_ summary: RunSummary?, _ events: [RunHistoryEvent]) throws {
        let plan = try CompiledBlueprint(Self.blueprint)
        let states = RunGraphStates(plan: plan, summary: summary, events: events)
        #expect(states.nodes == Self.expectedNodes)
        let taken = Set(states.takenEdges.map { "\(plan.nodes[plan.edges[$0].source].id)->\(plan.nodes[plan.edges[$0].target].id)" })
        #expect(taken == Self.expectedEdges)
    }

    @Test("in memory")
    func inMemory() async throws {
        let collected = CollectedHistory()
        let runtime = try FlowRuntime(blueprints: [Self.blueprint], registry: Self.registry(), options: FlowRuntime.Options(history: collected))
        let result = try await runtime.run("conditions")
        await runtime.flushHistory()
        #expect(result.status == .completed)
        try Self.check(collected.summary(of: result.runID), collected.allEvents)
    }

    @Test("distributed", arguments: [DistributedRetryMode.inProcess, .queue])
    func distributed(retryMode: DistributedRetryMode) async throws {
        let queue = Support.uniqueQueue("graphstates")
        try await Support.withWorker(blueprints: [Self.blueprint], registry: Self.registry(), queue: queue, retryMode: retryMode) {
            workflows, client in
            let runID = try await workflows.startWorkflow(blueprintID: "conditions")
            let final = try await workflows.result(runID, timeout: TestTiming.seconds(30))
            #expect(final.status == .completed, "\(final.json)")
            let history = RedisRunHistory(client: client, queueName: queue)
            try Self.check(try await history.run(runID), try await history.events(of: runID))
        }
    }
}

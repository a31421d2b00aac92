import Flowcraft
@testable import FlowcraftRedis
import Testing

/// Nested loops are refused by the distributed engine with a clear error instead of re-using
/// iteration numbers (which would skip the inner loop's second round silently).
@Suite("Distributed engine: nested loops")
struct NestedLoopTests {
    static func loop(_ id: String, condition: String) -> NodeDefinition {
        NodeDefinition(id: id, uses: "loop-controller", params: ["condition": .string(condition)])
    }

    /// start → obody → ibody → iloop (continue → ibody, break → oloop), oloop (continue → obody, break → done).
    static let nested = WorkflowBlueprint(
        id: "nested",
        nodes: [
            NodeDefinition(id: "start", uses: "noop"), NodeDefinition(id: "obody", uses: "noop"),
            NodeDefinition(id: "ibody", uses: "noop"), loop("iloop", condition: "false"), loop("oloop", condition: "false"),
            NodeDefinition(id: "done", uses: "noop"),
        ],
        edges: [
            EdgeDefinition(source: "start", target: "obody"), EdgeDefinition(source: "obody", target: "ibody"),
            EdgeDefinition(source: "ibody", target: "iloop"),
            EdgeDefinition(source: "iloop", target: "ibody", action: "continue"),
            EdgeDefinition(source: "iloop", target: "oloop", action: "break"),
            EdgeDefinition(source: "oloop", target: "obody", action: "continue"),
            EdgeDefinition(source: "oloop", target: "done", action: "break"),
        ])

    /// Two loops one after the other are not nested.
    static let sequential = WorkflowBlueprint(
        id: "sequential",
        nodes: [
            NodeDefinition(id: "a", uses: "noop"), loop("l1", condition: "false"),
            NodeDefinition(id: "b", uses: "noop"), loop("l2", condition: "false"),
        ],
        edges: [
            EdgeDefinition(source: "a", target: "l1"), EdgeDefinition(source: "l1", target: "a", action: "continue"),
            EdgeDefinition(source: "l1", target: "b", action: "break"), EdgeDefinition(source: "b", target: "l2"),
            EdgeDefinition(source: "l2", target: "b", action: "continue"),
        ])

    @Test("a loop inside another loop's body is detected; sequential loops are not")
    func detection() throws {
        let nested = try #require(PreparedBlueprint.nestedLoop(in: CompiledBlueprint(Self.nested)))
        #expect(Set([nested.inner, nested.outer]) == ["iloop", "oloop"])
        #expect(PreparedBlueprint.nestedLoop(in: try CompiledBlueprint(Self.sequential)) == nil)
    }

    @Test("starting a run of a blueprint with nested loops fails with a clear error", .requiresRedis)
    func startRefused() async throws {
        let client = try TestRedis.client()
        let workflows = try WorkflowClient(
            client: client, blueprints: [Self.nested],
            options: DistributedOptions(queueName: DistributedTestSupport.uniqueQueue("nested")))
        do {
            _ = try await workflows.startWorkflow(blueprintID: "nested")
            Issue.record("a run of a blueprint with nested loops started")
        } catch {
            #expect("\(error)".contains("nested loops are not supported by the distributed engine"))
            #expect("\(error)".contains("loop-controller '"))
        }
        await client.close()
    }
}

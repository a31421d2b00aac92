import Foundation
import Flowcraft
@testable import FlowcraftRedis
import Testing

@Suite("Distributed runs", .requiresRedis)
struct DistributedRunTests {
    @Test("a diamond runs to completion across jobs, with every node's output in the final context")
    func diamondCompletes() async throws {
        var registry = NodeRegistry()
        registry.register("noop") { ctx in NodeResult(output: .string("out-\(ctx.nodeID)")) }
        let blueprint = DistributedTestSupport.diamond()
        let queue = DistributedTestSupport.uniqueQueue("diamond")
        let status = try await DistributedTestSupport.withWorker(blueprints: [blueprint], registry: registry, queue: queue) {
            workflows, _ in
            let runID = try await workflows.startWorkflow(blueprint, context: ["greeting": "hi"])
            return try await workflows.result(runID, timeout: .seconds(20))
        }
        #expect(status.status == .completed)
        #expect(status.context["greeting"] == "hi")
        for node in ["a", "b", "c", "d", "e"] {
            #expect(status.context["_outputs.\(node)"] == .string("out-\(node)"))
        }
    }
}

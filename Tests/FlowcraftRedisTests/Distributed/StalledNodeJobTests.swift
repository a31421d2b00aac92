import Flowcraft
@testable import FlowcraftRedis
import Testing

/// A node job that stalled more often than allowed (its workers died running it) fails its run with
/// a reason that says so. Found by review: the job failed and the run stayed "running" for ever.
@Suite("A node job that stalled too often", .requiresRedis)
struct StalledNodeJobTests {
    typealias Support = DistributedTestSupport

    @Test("fails its run, naming the node and the stalls", arguments: [DistributedRetryMode.inProcess, .queue])
    func failsItsRun(retryMode: DistributedRetryMode) async throws {
        let blueprint = WorkflowBlueprint(
            id: "twostep", nodes: [NodeDefinition(id: "a", uses: "noop"), NodeDefinition(id: "b", uses: "noop")],
            edges: [EdgeDefinition(source: "a", target: "b")])
        let calls = NodeFinishStepSupport.Calls()
        var registry = NodeRegistry()
        registry.register("noop") { ctx in
            calls.count(ctx.nodeID)
            return NodeResult(output: .string(ctx.nodeID))
        }
        let queue = Support.uniqueQueue("stalled")
        let client = try TestRedis.client()
        let options = DistributedOptions(queueName: queue, stateTTLSeconds: 600, retryMode: retryMode)
        // Started with no worker yet: the first job waits; mark it as the stalled sweep does past
        // the allowed count.
        let workflows = try WorkflowClient(client: client, blueprints: [blueprint], options: options)
        let runID = try await workflows.startWorkflow(blueprint)
        let jobKey = "bull:\(queue):\(runID).a.0"
        #expect(try await client.send(["EXISTS", jobKey]).int == 1)
        _ = try await client.send(["HSET", jobKey, "defa", "job stalled more than allowable limit", "stc", "2"])
        await client.close()
        try await Support.withWorker(blueprints: [blueprint], registry: registry, queue: queue, retryMode: retryMode) { workflows, _ in
            let final = try await workflows.result(runID, timeout: TestTiming.seconds(20))
            #expect(final.status == .failed, "\(final.json)")
            let reason = final.reason ?? "\(final.json)"
            #expect(reason.contains("node 'a' failed: job stalled more than allowable limit (the workers running it stopped 2 times"), "\(reason)")
        }
        #expect(calls["a"] == 0 && calls["b"] == 0)
    }
}

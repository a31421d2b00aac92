import Foundation
import Flowcraft
@testable import FlowcraftRedis
import Testing

@Suite("Reconciler", .requiresRedis)
struct WorkflowReconcilerTests {
    @Test("a stalled run whose job was lost is found from the index, re-enqueued, and completes; finished runs are not touched")
    func lostJobIsReenqueued() async throws {
        var registry = NodeRegistry()
        registry.register("noop") { ctx in NodeResult(output: .string(ctx.nodeID)) }
        let blueprint = DistributedTestSupport.diamond()
        let queueName = DistributedTestSupport.uniqueQueue("reconcile")
        let client = try TestRedis.client()
        let options = DistributedOptions(queueName: queueName, stateTTLSeconds: 600)
        let catalog = try BlueprintCatalog([blueprint])
        let workflows = WorkflowClient(client: client, catalog: catalog, options: options)
        // A threshold far above the test's duration: only the run whose activity is backdated is stalled.
        let reconciler = WorkflowReconciler(client: client, catalog: catalog, options: options, stalledThresholdSeconds: 600)

        // No worker yet: the start job waits; then it is lost (removed from the queue entirely).
        let runID = try await workflows.startWorkflow(blueprint)
        let keys = QueueKeys(prefix: "bull", queueName: queueName)
        let jobID = NodeJobData(runID: runID, blueprintID: "diamond", nodeID: "a").jobID
        _ = try await client.send(["LREM", keys.wait, "0", jobID])
        _ = try await client.send(["DEL", keys.job(jobID)])

        let fresh = try await reconciler.run()
        #expect(fresh.scannedKeys == 1 && fresh.stalledRuns == 0)

        _ = try await client.send(["ZADD", DistributedKeys.activeRuns(queue: queueName), "1", runID])
        let stats = try await reconciler.run()
        #expect(stats.stalledRuns == 1)
        #expect(stats.reconciledRuns == 1)
        #expect(stats.failedRuns == 0)

        let worker = try DistributedWorker(
            blueprints: [blueprint], registry: registry, client: client, options: options,
            workerOptions: WorkerOptions(concurrency: 4, drainDelay: 0.2))
        worker.start()
        let status = try await workflows.result(runID, timeout: .seconds(20))
        await worker.close()
        #expect(status.status == .completed)
        #expect(status.context["_outputs.e"] == "e")

        let after = try await reconciler.run()
        #expect(after.scannedKeys == 0 && after.reconciledRuns == 0)
        await client.close()
    }
}

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
        let status = try await workflows.result(runID, timeout: TestTiming.seconds(20))
        await worker.close()
        #expect(status.status == .completed)
        #expect(status.context["_outputs.e"] == "e")

        let after = try await reconciler.run()
        #expect(after.scannedKeys == 0 && after.reconciledRuns == 0)
        await client.close()
    }

    @Test("an entry a redrive runs again gets a new job while its old job is active (it may end uncommitted); a job no worker took yet is kept")
    func rerunEntryGetsANewJobWhileItsOldJobIsActive() async throws {
        let blueprint = DistributedTestSupport.diamond()
        let queueName = DistributedTestSupport.uniqueQueue("reconcile-rerun")
        let client = try TestRedis.client()
        let options = DistributedOptions(queueName: queueName, stateTTLSeconds: 600)
        let catalog = try BlueprintCatalog([blueprint])
        let workflows = WorkflowClient(client: client, catalog: catalog, options: options)
        let reconciler = WorkflowReconciler(client: client, catalog: catalog, options: options)
        // No worker: the start node's job waits.
        let runID = try await workflows.startWorkflow(blueprint)
        let keys = QueueKeys(prefix: "bull", queueName: queueName)
        let entry = try #require(NodeInstance(member: "a#0"))
        let jobID = NodeJobData(runID: runID, blueprintID: "diamond", nodeID: "a").jobID
        #expect(try await !reconciler.reconcile(runID, now: 1000), "a waiting job will run: nothing to enqueue")
        #expect(try await !reconciler.reconcile(runID, now: 1500, rerun: [entry]), "nor when its entry runs again")
        // Taken by a worker (as a worker takes it: from the wait list to the active list).
        _ = try await client.send(["LMOVE", keys.wait, keys.active, "RIGHT", "LEFT"])
        #expect(try await !reconciler.reconcile(runID, now: 2000), "an active job is alive")
        #expect(try await reconciler.reconcile(runID, now: 3000, rerun: [entry]))
        let waiting = try await client.send(["LRANGE", keys.wait, "0", "-1"]).array?.compactMap(\.string) ?? []
        #expect(waiting == [jobID + ".r3000"])
        await client.close()
    }

    @Test("a batch worker job lost after the scatter committed is re-enqueued; every worker commits once and the run completes",
          arguments: [0, 3])
    func lostBatchWorkerIsReenqueued(lostIndex: Int) async throws {
        let counter = DistributedBatchTests.Counter()
        let items: [JSONValue] = [1, 2, 3, 4, 5]
        let blueprint = DistributedBatchTests.batchBlueprint(items: items, chunkSize: 2)
        let fixture = try CompletionIdempotencyTests.Fixture(blueprint)
        defer { Task { await fixture.client.close() } }
        let plan = fixture.prepared.compiled
        let s = try #require(plan.nodeIndex["scatter"])
        let spec = try #require(BatchPlan(scatter: plan.nodes[s]))
        let client = fixture.client
        func commit(_ change: RunCommitter.Change) async throws -> String {
            try await fixture.committer.commit(runID: fixture.runID, blueprintID: "batch", version: nil, change).code
        }
        func state() -> RedisWorkflowState { RedisWorkflowState(runID: fixture.runID, client: client, mode: .buffered) }
        func workerData(_ i: Int) -> NodeJobData {
            NodeJobData(runID: fixture.runID, blueprintID: "batch", worker: spec, index: i, count: items.count, iteration: 0)
        }
        func lose(_ jobID: String) async throws {
            _ = try await client.send(["LREM", fixture.queueKeys.wait, "0", jobID])
            _ = try await client.send(["DEL", fixture.queueKeys.job(jobID)])
        }

        // items and the scatter committed (their jobs are gone, as after a run of them); then the
        // worker that held job `lostIndex` crashed and the job was lost.
        try await fixture.start()
        #expect(try await fixture.complete("items").code == "committed")
        let scatter = try await NodeJobExecutor.batchScatterChange(
            prepared: fixture.prepared, data: NodeJobData(runID: fixture.runID, blueprintID: "batch", nodeID: "scatter"),
            item: .node(s), scatter: s, spec: spec, items: items, input: .array(items), state: state(), options: fixture.options)
        #expect(try await commit(scatter) == "committed")
        for node in ["items", "scatter"] {
            try await lose(NodeJobData(runID: fixture.runID, blueprintID: "batch", nodeID: node).jobID)
        }
        if lostIndex >= spec.window(count: items.count) {
            // A worker of a later window: enqueued by the commit of the worker one window before it.
            let earlier = lostIndex - spec.window(count: items.count)
            #expect(try await commit(NodeJobExecutor.batchWorkerChange(
                prepared: DistributedBlueprint(plan), data: workerData(earlier), scatter: s, spec: spec, output: .int(0), state: state(),
                options: fixture.options)) == "committed")
            try await lose(workerData(earlier).jobID)
            counter.hit(spec.workerID(earlier))
        }
        try await lose(workerData(lostIndex).jobID)
        #expect(try await fixture.pending().contains("\(spec.workerID(lostIndex))#0"))

        let catalog = try BlueprintCatalog([blueprint])
        let reconciler = WorkflowReconciler(client: client, catalog: catalog, options: fixture.options, stalledThresholdSeconds: 600)
        _ = try await client.send(["ZADD", DistributedKeys.activeRuns(queue: fixture.options.queueName), "1", fixture.runID])
        let stats = try await reconciler.run()
        #expect(stats.reconciledRuns == 1 && stats.failedRuns == 0)

        let worker = try DistributedWorker(
            catalog: catalog, registry: DistributedBatchTests.registry(counter), client: client, options: fixture.options,
            workerOptions: WorkerOptions(concurrency: 4, drainDelay: 0.2))
        worker.start()
        let status = try await WorkflowClient(client: client, catalog: catalog, options: fixture.options)
            .result(fixture.runID, timeout: TestTiming.seconds(20))
        await worker.close()
        #expect(status.status == .completed)
        #expect(counter.count("after") == 1)
        for i in items.indices { #expect(counter.count(spec.workerID(i)) == 1, "worker \(i)") }
        // items, scatter, five workers, the scatter's continuation, gather, after: each committed once.
        #expect(try await client.send(["SCARD", fixture.keys.done]).int == 10)
        let doubled = try #require(status.context["doubled"]?.arrayValue)
        #expect(doubled.count == items.count)
        #expect(doubled[lostIndex] == .int((lostIndex + 1) * 2))
    }
}

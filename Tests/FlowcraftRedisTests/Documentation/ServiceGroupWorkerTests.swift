import Flowcraft
import FlowcraftRedis
import Logging
import ServiceLifecycle
import Testing

/// The README's "run the worker in a ServiceGroup" snippet: a graceful shutdown (what SIGTERM
/// triggers) lets the node in progress finish and commit, and `run()` returns.
@Suite("README ServiceGroup worker", .requiresRedis)
struct ServiceGroupWorkerTests {
    @Test("graceful shutdown of the worker's ServiceGroup finishes the job in progress and returns")
    func gracefulShutdownDrainsTheWorker() async throws {
        let blueprint = WorkflowBlueprint(id: "drain", nodes: [NodeDefinition(id: "slow", uses: "slow")])
        let started = PthreadMutex(false)
        var registry = NodeRegistry()
        registry.register("slow") { _ in
            started.withLock { $0 = true }
            try await Task.sleep(for: .milliseconds(300))
            return NodeResult(output: "done")
        }
        let options = DistributedOptions(queueName: DistributedTestSupport.uniqueQueue("servicegroup"), stateTTLSeconds: 600)

        // As in the README (with the test's Redis and queue):
        let logger = Logger(label: "worker")
        let redis = try TestRedis.client()
        let worker = try DistributedWorker(
            blueprints: [blueprint], registry: registry, client: redis, options: options,
            workerOptions: WorkerOptions(concurrency: 4, drainDelay: 0.2))
        let group = ServiceGroup(services: [worker], gracefulShutdownSignals: [.sigterm, .sigint], logger: logger)

        let running = Task { try await group.run() }
        let workflows = try WorkflowClient(client: redis, blueprints: [blueprint], options: options)
        let runID = try await workflows.startWorkflow(blueprintID: "drain")
        for _ in 0..<500 where !started.withLock({ $0 }) { try await Task.sleep(for: .milliseconds(10)) }
        #expect(started.withLock { $0 })
        await group.triggerGracefulShutdown()
        try await running.value
        let status = try await workflows.result(runID, timeout: TestTiming.seconds(20))
        #expect(status.status == .completed, "\(status)")
        #expect(status.context["_outputs.slow"] == "done")
        await redis.close()
    }
}

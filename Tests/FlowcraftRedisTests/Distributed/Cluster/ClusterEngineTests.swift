import Foundation
import Flowcraft
@testable import FlowcraftRedis
import Logging
import Testing

/// Collects the messages of warnings and errors.
private final class ClusterWarningSink: Sendable {
    let messages = PthreadMutex<[String]>([])
    func count(_ text: String) -> Int { messages.withLock { $0.filter { $0.contains(text) }.count } }
}

private struct ClusterWarningCapture: LogHandler {
    let sink: ClusterWarningSink
    var metadata: Logger.Metadata = [:]
    var logLevel: Logger.Level = .warning

    subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { metadata[key] }
        set { metadata[key] = newValue }
    }

    func log(event: LogEvent) {
        guard event.level >= .warning else { return }
        sink.messages.withLock { $0.append("\(event.message) \(event.metadata ?? [:])") }
    }
}

/// The distributed engine on a real Redis Cluster (three masters, three replicas, one cluster for the
/// suite): the workers' blocking pops on the shards' masters, many concurrent runs on two workers,
/// and status, resume, cancel, redrive and the history listing across shards. Serialized: the load
/// test counts executions, which a starved lock renewal could double.
@Suite("Cluster engine (redis+cluster://, 16 shards)", .redisCluster, .serialized)
struct ClusterEngineTests {
    static let layout = QueueLayout.sharded(count: 16)

    static func configuration() throws -> RedisConfiguration {
        try #require(RedisClusterServers.current).configuration()
    }

    @Test("an idle worker on 16 shards blocks on each shard's own master: no marker wait fails, and a run on every shard completes")
    func blockingPopsGoToTheShardsMasters() async throws {
        let sink = ClusterWarningSink()
        let queue = DistributedTestSupport.uniqueQueue("cluster-idle")
        var registry = NodeRegistry()
        registry.register("noop") { ctx in NodeResult(output: .string(ctx.nodeID)) }
        let blueprint = DistributedTestSupport.diamond()
        var options = DistributedOptions(queueName: queue, logger: Logger(label: "flowcraft.cluster.test") { _ in ClusterWarningCapture(sink: sink) })
        options.layout = Self.layout
        let configuration = try Self.configuration()
        let workerClient = RedisClient(configuration: configuration)
        let client = RedisClient(configuration: configuration)
        let worker = try DistributedWorker(
            blueprints: [blueprint], registry: registry, client: workerClient, options: options,
            workerOptions: WorkerOptions(concurrency: 16, drainDelay: 0.5))
        worker.start()
        do {
            // Idle long enough for several blocking pops per shard (drain delay 0.5 s).
            try await Task.sleep(for: .seconds(1.5))
            let workflows = try WorkflowClient(client: client, blueprints: [blueprint], options: options)
            let shards = QueueShards(queueName: queue, layout: Self.layout)
            var baseIDs: [Int: String] = [:]
            var candidate = 0
            while baseIDs.count < 16 {
                let id = "idle-\(candidate)"
                baseIDs[shards.shard(ofBaseID: id)] = baseIDs[shards.shard(ofBaseID: id)] ?? id
                candidate += 1
            }
            var runIDs: [String] = []
            for id in baseIDs.values { runIDs.append(try await workflows.startWorkflow(blueprintID: blueprint.id, runID: id)) }
            for runID in runIDs { #expect(try await workflows.result(runID, timeout: .seconds(60)).status == .completed) }
            // A waiter sent to a node that does not own its shard is redirected on every pop and logs
            // each failed wait: none may have failed.
            #expect(sink.count("waiting on the queue marker failed") == 0, "\(sink.messages.withLock { $0.prefix(5) })")
        } catch {
            await worker.close()
            await workerClient.close()
            await client.close()
            throw error
        }
        await worker.close()
        await workerClient.close()
        await client.close()
    }

    @Test("200 concurrent diamond runs across 16 shards on two workers: every run completes, every node committed and executed once, runs on ≥ 12 shards")
    func concurrentDiamondsOnTwoWorkers() async throws {
        let report = try await ClusterRunLoad(runs: 200, workers: 2).execute(configuration: Self.configuration())
        report.expectEveryRunCompletedOnce()
        #expect(report.runIDs.count == 200)
        #expect(report.shardsUsed >= 12, "runs on \(report.shardsUsed) shards")
    }

    @Test("status, resume, cancel, redrive and the history listing across shards on the cluster")
    func operationsAcrossShards() async throws {
        let failures = PthreadMutex<Set<String>>([])
        var registry = NodeRegistry()
        registry.register("noop") { ctx in NodeResult(output: .string(ctx.nodeID)) }
        registry.register("fails-once") { ctx in
            let first = failures.withLock { $0.insert(ctx.runID).inserted }
            if first { throw DistributedError("first execution fails") }
            return NodeResult(output: "ok")
        }
        registry.register("slow") { _ in
            try await Task.sleep(for: .seconds(30))
            return NodeResult(output: "late")
        }
        let diamond = DistributedTestSupport.diamond()
        let chain = WorkflowBlueprint(
            id: "cluster-chain",
            nodes: [NodeDefinition(id: "fetch", uses: "noop"), NodeDefinition(id: "charge", uses: "fails-once")],
            edges: [EdgeDefinition(source: "fetch", target: "charge")])
        let gate = WorkflowBlueprint(
            id: "cluster-gate",
            nodes: [NodeDefinition(id: "ask", uses: "wait"), NodeDefinition(id: "after", uses: "noop")],
            edges: [EdgeDefinition(source: "ask", target: "after")])
        let slow = WorkflowBlueprint(id: "cluster-slow", nodes: [NodeDefinition(id: "sleep", uses: "slow")], edges: [])
        let queue = DistributedTestSupport.uniqueQueue("cluster-ops")
        try await DistributedTestSupport.withWorker(
            blueprints: [diamond, chain, gate, slow], registry: registry, queue: queue,
            configuration: try Self.configuration(), layout: Self.layout
        ) { workflows, client in
            var completed: [String] = []
            for index in 0..<24 {
                completed.append(try await workflows.startWorkflow(blueprintID: diamond.id, runID: "ops-\(index)"))
            }
            for runID in completed {
                #expect(try await workflows.result(runID, timeout: TestTiming.seconds(20)).status == .completed)
                #expect(try await workflows.status(runID)?.status == .completed)
            }
            // Redrive: the failed run goes again from its failed node.
            let failed = try await workflows.startWorkflow(blueprintID: chain.id, runID: "ops-redrive")
            #expect(try await workflows.result(failed, timeout: TestTiming.seconds(20)).status == .failed)
            _ = try await workflows.redrive(failed)
            #expect(try await workflows.result(failed, timeout: TestTiming.seconds(20)).status == .completed)
            // Resume a paused run.
            let paused = try await workflows.startWorkflow(blueprintID: gate.id, runID: "ops-resume")
            #expect(try await workflows.result(paused, timeout: TestTiming.seconds(20)).status == .awaiting)
            try await workflows.resume(paused, nodeID: "ask", output: "yes")
            #expect(try await workflows.result(paused, timeout: TestTiming.seconds(20)).status == .completed)
            // Cancel a running run.
            let cancelled = try await workflows.startWorkflow(blueprintID: slow.id, runID: "ops-cancel")
            try await Task.sleep(for: .milliseconds(300))
            try await workflows.cancel(cancelled, reason: "stop")
            #expect(try await workflows.result(cancelled, timeout: TestTiming.seconds(20)).status == .cancelled)

            // The history lists every run, whatever its shard (the shards' indexes merged), in pages.
            let history = RedisRunHistory(client: client, queueName: queue, layout: Self.layout)
            var listed: [String] = []
            var cursor: String?
            repeat {
                let page = try await history.runs(RunQuery(limit: 10, cursor: cursor))
                listed += page.runs.map(\.runID)
                cursor = page.nextCursor
            } while cursor != nil
            let all = completed + [failed, paused, cancelled]
            #expect(Set(listed) == Set(all), "listed \(listed.count) of \(all.count)")
            #expect(listed.count == all.count)
            let shards = QueueShards(queueName: queue, layout: Self.layout)
            #expect(Set(all.compactMap(shards.shard(ofRunID:))).count >= 8)
            let summary = try #require(try await history.run(failed))
            #expect(summary.status == .completed)
            let completedRuns = try await history.runs(RunQuery(status: .completed, limit: 100)).runs
            #expect(completedRuns.count == completed.count + 2)

            // A reconciliation pass over the 16 shards' active-run indexes (every run has ended:
            // nothing to repair, nothing failing) and the worker directory.
            var options = DistributedOptions(queueName: queue)
            options.layout = Self.layout
            let reconciler = WorkflowReconciler(
                client: client, catalog: try BlueprintCatalog([diamond, chain, gate, slow]), options: options,
                stalledThresholdSeconds: 0)
            let stats = try await reconciler.run()
            #expect(stats.failedRuns == 0 && stats.reconciledRuns == 0, "\(stats)")
            #expect(try await workflows.liveWorkerNames().count == 1)
        }
    }
}

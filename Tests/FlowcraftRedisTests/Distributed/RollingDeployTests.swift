import Foundation
import Flowcraft
@testable import FlowcraftRedis
import Testing

/// Rolling deploys (issue 13, item 5): two worker versions share a queue. A worker that lacks a run's
/// blueprint version — or has another graph under the same label (its fingerprint differs) — hands the
/// job back for a worker that has it, never runs the other graph's nodes, and the run fails only when
/// no live worker has the blueprint for the bounded time.
@Suite("Rolling deploys", .requiresRedis)
struct RollingDeployTests {
    /// `start → <only> → end`, labelled `version`; `only` is named after the graph, so which graph ran
    /// shows in the run's outputs.
    static func blueprint(version: String, only: String) -> WorkflowBlueprint {
        WorkflowBlueprint(
            id: "deploy", version: version,
            nodes: ["start", only, "end"].map { NodeDefinition(id: $0, uses: "record") },
            edges: [EdgeDefinition(source: "start", target: only), EdgeDefinition(source: only, target: "end")])
    }

    /// Records `worker:nodeId` of every node it runs.
    static func registry(worker: String, log: Log) -> NodeRegistry {
        var registry = NodeRegistry()
        registry.register("record") { ctx in
            log.append("\(worker):\(ctx.nodeID)")
            try await Task.sleep(for: .milliseconds(2))
            return NodeResult(output: .string("\(worker)-\(ctx.nodeID)"))
        }
        return registry
    }

    final class Log: Sendable {
        private let entries = PthreadMutex<[String]>([])
        func append(_ entry: String) { entries.withLock { $0.append(entry) } }
        var all: [String] { entries.withLock { $0 } }
    }

    static let fast = RollingDeployOptions(
        handBackDelay: .milliseconds(20), missingBlueprintTimeout: .seconds(30), advertisementInterval: .seconds(5))

    static func options(_ queue: String, _ deploy: RollingDeployOptions = fast) -> DistributedOptions {
        var options = DistributedOptions(queueName: queue, stateTTLSeconds: 600)
        options.rollingDeploy = deploy
        return options
    }

    static func worker(
        _ blueprints: [WorkflowBlueprint], name: String, log: Log, client: RedisClient, options: DistributedOptions
    ) throws -> DistributedWorker {
        try DistributedWorker(
            blueprints: blueprints, registry: registry(worker: name, log: log), client: client, options: options,
            workerOptions: WorkerOptions(concurrency: 8, drainDelay: 0.2, name: name))
    }

    @Test("two workers with versions 1.0 and 2.0 on one queue finish 200 runs, each on its own graph")
    func rollingDeploy() async throws {
        let queue = DistributedTestSupport.uniqueQueue("deploy")
        let client = try TestRedis.client(poolSize: 4)
        let log = Log()
        let v1 = Self.blueprint(version: "1.0", only: "old")
        let v2 = Self.blueprint(version: "2.0", only: "new")
        let options = Self.options(queue)
        let w1 = try Self.worker([v1], name: "w-v1-\(queue)", log: log, client: client, options: options)
        let w2 = try Self.worker([v2], name: "w-v2-\(queue)", log: log, client: client, options: options)
        w1.start()
        w2.start()
        let workflows = WorkflowClient(client: client, catalog: try BlueprintCatalog([v1, v2]), options: options)
        var runs: [(id: String, version: String)] = []
        for i in 0..<200 {
            let version = i % 2 == 0 ? "1.0" : "2.0"
            runs.append((try await workflows.startWorkflow(blueprintID: "deploy", version: version), version))
        }
        var statuses: [String: DistributedRunStatus] = [:]
        for run in runs { statuses[run.id] = try await workflows.result(run.id, timeout: .seconds(120)) }
        await w1.close()
        await w2.close()
        await client.close()

        for run in runs {
            let status = try #require(statuses[run.id])
            #expect(status.status == .completed, "run \(run.id) (\(run.version)): \(status.reason ?? "")")
            let (worker, only, other) = run.version == "1.0" ? ("w-v1", "old", "new") : ("w-v2", "new", "old")
            #expect(status.context["_outputs.\(only)"]?.stringValue?.hasPrefix(worker) == true, "run \(run.id): \(status.context)")
            #expect(status.context["_outputs.\(other)"] == nil)
            for node in ["start", "end"] {
                #expect(status.context["_outputs.\(node)"]?.stringValue?.hasPrefix(worker) == true, "run \(run.id) node \(node)")
            }
        }
        // Every node ran on a worker of its version: 200 runs × 3 nodes, nothing else.
        let entries = log.all
        #expect(entries.count == 600)
        #expect(!entries.contains("w-v1-\(queue):new") && !entries.contains("w-v2-\(queue):old"))
    }

    @Test("a start of the same id and label with a different graph is refused while a worker has the other graph")
    func sameLabelDifferentGraphStartRefused() async throws {
        let queue = DistributedTestSupport.uniqueQueue("deploy-same")
        let client = try TestRedis.client()
        let log = Log()
        let deployed = Self.blueprint(version: "1.0", only: "old")
        let changed = Self.blueprint(version: "1.0", only: "changed")
        let options = Self.options(queue)
        let worker = try Self.worker([deployed], name: "w-\(queue)", log: log, client: client, options: options)
        worker.start()
        // The advertisement is written before the worker takes jobs; wait until it is there.
        let directory = WorkerDirectory(client: client, queueName: queue)
        for _ in 0..<200 where try await directory.live().isEmpty { try await Task.sleep(for: .milliseconds(10)) }
        let workflows = WorkflowClient(client: client, catalog: BlueprintCatalog(), options: options)
        await #expect {
            try await workflows.startWorkflow(changed)
        } throws: { error in
            let text = "\(error)"
            return text.contains("different graph") && text.contains("'deploy'") && text.contains("'1.0'")
        }
        // The deployed graph itself starts and completes.
        let runID = try await workflows.startWorkflow(deployed)
        #expect(try await workflows.result(runID, timeout: TestTiming.seconds(20)).status == .completed)
        await worker.close()
        await client.close()
    }

    @Test("a client reads the live workers for its graph check once per graphCheckMaxAge, not once per start, and a conflict in the kept read still refuses")
    func graphCheckReadIsKept() async throws {
        let queue = DistributedTestSupport.uniqueQueue("deploy-kept")
        let workerClient = try TestRedis.client()
        let client = try TestRedis.client()
        let log = Log()
        let deployed = Self.blueprint(version: "1.0", only: "old")
        let worker = try Self.worker([deployed], name: "w-\(queue)", log: log, client: workerClient, options: Self.options(queue))
        worker.start()
        let directory = WorkerDirectory(client: workerClient, queueName: queue)
        for _ in 0..<200 where try await directory.live().isEmpty { try await Task.sleep(for: .milliseconds(10)) }
        // Commands this client sends for 20 starts after a first one (which also loads the script
        // and checks the layout).
        func commandsFor20Starts(maxAge: Duration) async throws -> (commands: Int, workflows: WorkflowClient) {
            var deploy = Self.fast
            deploy.graphCheckMaxAge = maxAge
            let workflows = try WorkflowClient(client: client, blueprints: [deployed], options: Self.options(queue, deploy))
            try await workflows.startWorkflow(blueprintID: "deploy")
            let before = client.statistics.commands
            for _ in 0..<20 { try await workflows.startWorkflow(blueprintID: "deploy") }
            return (client.statistics.commands - before, workflows)
        }
        let kept = try await commandsFor20Starts(maxAge: .seconds(3_600))
        let unkept = try await commandsFor20Starts(maxAge: .zero)
        #expect(unkept.commands - kept.commands == 20, "kept: \(kept.commands), read every time: \(unkept.commands)")
        // The kept read lists the worker's graph: another graph under its label is still refused.
        await #expect {
            try await kept.workflows.startWorkflow(Self.blueprint(version: "1.0", only: "changed"))
        } throws: { error in
            "\(error)".contains("different graph")
        }
        await worker.close()
        await workerClient.close()
        await client.close()
    }

    @Test("a job whose run has another graph under the worker's label is left alone until a worker with that graph runs it")
    func mismatchedFingerprintLeftAlone() async throws {
        let queue = DistributedTestSupport.uniqueQueue("deploy-fp")
        let client = try TestRedis.client()
        let log = Log()
        let deployed = Self.blueprint(version: "1.0", only: "old")
        let changed = Self.blueprint(version: "1.0", only: "changed")
        let options = Self.options(queue)
        // Started while no worker is live: nothing to refuse against.
        let workflows = WorkflowClient(client: client, catalog: BlueprintCatalog(), options: options)
        let runID = try await workflows.startWorkflow(changed)
        let old = try Self.worker([deployed], name: "w-old-\(queue)", log: log, client: client, options: options)
        old.start()
        // Wait until the old worker handed the start job back at least once (and then a while more).
        let jobID = NodeJobData(runID: runID, blueprintID: "deploy", nodeID: "start").jobID
        var job: Job?
        for _ in 0..<1000 {
            job = try await Queue(name: queue, client: client).getJob(jobID)
            if job?.failedReason != nil { break }
            try await Task.sleep(for: .milliseconds(10))
        }
        try await Task.sleep(for: .milliseconds(300))
        #expect(log.all.isEmpty, "the worker with the other graph ran \(log.all)")
        #expect(try await workflows.status(runID)?.status == .running)
        #expect(job?.attemptsMade == 0, "a hand back counts no attempt")
        #expect(job?.failedReason?.contains("fingerprint") == true, "\(job?.failedReason ?? "")")

        let new = try Self.worker([changed], name: "w-new-\(queue)", log: log, client: client, options: options)
        new.start()
        let status = try await workflows.result(runID, timeout: TestTiming.seconds(20))
        await old.close()
        await new.close()
        await client.close()
        #expect(status.status == .completed, "\(status.reason ?? "")")
        #expect(status.context["_outputs.changed"] != nil && status.context["_outputs.old"] == nil)
        #expect(log.all.allSatisfy { $0.hasPrefix("w-new-") }, "\(log.all)")
    }

    @Test("a run whose version no live worker has fails after the bounded wait, naming the version")
    func missingVersionFailsAfterTimeout() async throws {
        let queue = DistributedTestSupport.uniqueQueue("deploy-missing")
        let client = try TestRedis.client()
        let log = Log()
        let deploy = RollingDeployOptions(
            handBackDelay: .milliseconds(50), missingBlueprintTimeout: .seconds(1), advertisementInterval: .seconds(5))
        let options = Self.options(queue, deploy)
        let worker = try Self.worker([Self.blueprint(version: "1.0", only: "old")], name: "w-\(queue)", log: log, client: client, options: options)
        worker.start()
        let workflows = WorkflowClient(client: client, catalog: BlueprintCatalog(), options: options)
        let clock = ContinuousClock()
        let began = clock.now
        let runID = try await workflows.startWorkflow(Self.blueprint(version: "3.0", only: "future"))
        let status = try await workflows.result(runID, timeout: TestTiming.seconds(20))
        let waited = clock.now - began
        await worker.close()
        await client.close()
        #expect(status.status == .failed)
        let reason = status.reason ?? ""
        #expect(reason.contains("no live worker") && reason.contains("'3.0'") && reason.contains("'1.0'"), "\(reason)")
        #expect(waited >= .seconds(1), "failed after \(waited), before the bounded wait")
        #expect(log.all.isEmpty)
    }
}

extension RollingDeployTests {
    /// `start → ask (wait) → <after>`, labelled "1.0".
    static func approval(after: String) -> WorkflowBlueprint {
        WorkflowBlueprint(
            id: "deploy-approval", version: "1.0",
            nodes: [NodeDefinition(id: "start", uses: "record"), NodeDefinition(id: "ask", uses: "wait"), NodeDefinition(id: after, uses: "record")],
            edges: [EdgeDefinition(source: "start", target: "ask"), EdgeDefinition(source: "ask", target: after)])
    }

    @Test("a resume by a client whose graph differs from a live worker's under the same label is refused")
    func resumeWithDifferentGraphRefused() async throws {
        let queue = DistributedTestSupport.uniqueQueue("deploy-resume")
        let client = try TestRedis.client()
        let log = Log()
        let deployed = Self.approval(after: "done")
        let options = Self.options(queue)
        let worker = try Self.worker([deployed], name: "w-\(queue)", log: log, client: client, options: options)
        worker.start()
        let workflows = WorkflowClient(client: client, catalog: try BlueprintCatalog([deployed]), options: options)
        let runID = try await workflows.startWorkflow(blueprintID: "deploy-approval")
        #expect(try await workflows.result(runID, timeout: TestTiming.seconds(20)).status == .awaiting)
        let stale = WorkflowClient(client: client, catalog: try BlueprintCatalog([Self.approval(after: "other")]), options: options)
        await #expect {
            try await stale.resume(runID)
        } throws: { error in
            "\(error)".contains("different graph")
        }
        try await workflows.resume(runID)
        let status = try await workflows.result(runID, timeout: TestTiming.seconds(20))
        await worker.close()
        await client.close()
        #expect(status.status == .completed)
        #expect(status.context["_outputs.done"] != nil && status.context["_outputs.other"] == nil)
    }
}

@Suite("Blueprint fingerprints")
struct BlueprintFingerprintTests {
    static let base = RollingDeployTests.blueprint(version: "1.0", only: "old")

    @Test("source locations and descriptions do not change a fingerprint; the graph, params, config and label do")
    func fingerprintRule() throws {
        let fingerprint = BlueprintFingerprint.of(Self.base)
        var located = Self.base
        located.location = SourceLocation(file: "/a/b.yaml", line: 3, column: 1)
        located.description = "another text"
        located.nodes[0].location = SourceLocation(file: "/a/b.yaml", line: 9, column: 5)
        located.edges[0].location = SourceLocation(file: "/a/b.yaml", line: 20, column: 5)
        #expect(BlueprintFingerprint.of(located) == fingerprint)

        var params = Self.base
        params.nodes[1].params = ["x": 1]
        var config = Self.base
        config.nodes[1].config.maxRetries = 3
        var edge = Self.base
        edge.edges[1].condition = "result.ok"
        var label = Self.base
        label.version = "1.1"
        let others = [params, config, edge, label, RollingDeployTests.blueprint(version: "1.0", only: "new")].map(BlueprintFingerprint.of)
        #expect(Set(others).count == others.count && !others.contains(fingerprint))
        // Computed once per prepared blueprint and carried by the jobs the engine enqueues.
        let prepared = DistributedBlueprint(try CompiledBlueprint(Self.base))
        #expect(prepared.fingerprint == fingerprint)
        let record = CompletionPlanner(prepared: prepared, runID: "r", options: DistributedOptions()).startRecords()[0]
        #expect(record.data.contains(#""blueprintFingerprint":"\#(fingerprint)""#))
    }
}

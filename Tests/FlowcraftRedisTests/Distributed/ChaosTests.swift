import Foundation
import Flowcraft
@testable import FlowcraftRedis
import Testing

#if canImport(Glibc)
import Glibc
#endif

/// Reliability under failure: many concurrent runs of a fan-out/fan-in blueprint on two `flowcraft
/// worker` processes while one is SIGKILLed and restarted — and, separately, while Redis (AOF on) is
/// killed and restarted; and runs of a batch scatter/gather blueprint, and of a node returning dynamic
/// nodes, under the same worker kills.
/// Every run must complete and every node's completion be committed exactly once (the run's commit
/// counter, a side effect of each commit, equals the number of completions the run makes).
@Suite("Chaos: killed workers and a restarted Redis", .requiresRedis, .serialized)
struct ChaosTests {
    static let runs = 200
    /// start → w1…w4 → join → end.
    static let blueprint = WorkflowBlueprint(
        id: "fan",
        nodes: ["start", "w1", "w2", "w3", "w4", "join", "end"].map { NodeDefinition(id: $0, uses: "work") },
        edges: ["w1", "w2", "w3", "w4"].flatMap { w in
            [EdgeDefinition(source: "start", target: w), EdgeDefinition(source: w, target: "join")]
        } + [EdgeDefinition(source: "join", target: "end")])

    static let batchRuns = 60
    static let batchItems: [JSONValue] = (1...6).map { .int($0) }
    /// start → scatter (one `work` worker job per item of `items`, 3 in flight) → gather → end.
    static let batchBlueprint = WorkflowBlueprint(
        id: "batchfan",
        nodes: [
            NodeDefinition(id: "start", uses: "work"),
            NodeDefinition(id: "scatter", uses: "batch-scatter", params: [
                "workerUsesKey": "work", "gatherNodeId": "gather", "chunkSize": 3,
            ], inputs: .key("items")),
            NodeDefinition(id: "gather", uses: "batch-gather", params: ["gatherNodeId": "gather", "outputKey": "results"]),
            NodeDefinition(id: "end", uses: "work"),
        ],
        edges: [
            EdgeDefinition(source: "start", target: "scatter"), EdgeDefinition(source: "scatter", target: "gather"),
            EdgeDefinition(source: "gather", target: "end"),
        ])

    static let dynamicRuns = 80
    static let dynamicCount = 5
    /// Done-set entries of one run of ``dynamicBlueprint``: start, spawner, the 5 dynamic nodes
    /// (`spawner~dynamic~spawner-dI`), the continuation `spawner~dynamic-done`, end — 9, as read from
    /// the done set of a run without kills (``dynamicNodesWithoutKills``).
    static let dynamicCommits = 9
    /// start → spawner → end, all `work`; `start` reads the context's `seed`. The workers run with
    /// `--dynamic spawner=5`: `spawner` returns 5 dynamic nodes `spawner-d1`…`spawner-d5`.
    static let dynamicBlueprint = WorkflowBlueprint(
        id: "dynfan",
        nodes: [
            NodeDefinition(id: "start", uses: "work", inputs: .key("seed")),
            NodeDefinition(id: "spawner", uses: "work"),
            NodeDefinition(id: "end", uses: "work"),
        ],
        edges: [EdgeDefinition(source: "start", target: "spawner"), EdgeDefinition(source: "spawner", target: "end")])

    /// A completed run of ``dynamicBlueprint`` (context `seed`) holds each dynamic node's output — its
    /// simulated input, see `SimulatedDynamicNodes` — and the end's, and no leftover dynamic record.
    static func dynamicRunIsComplete(_ context: [String: JSONValue], seed: JSONValue) -> Bool {
        for index in 1...dynamicCount {
            let expected: JSONValue = ["index": .int(index), "count": .int(dynamicCount), "spawnerOutput": seed]
            if context["_outputs.spawner-d\(index)"] != expected { return false }
        }
        return context["_outputs.spawner"] == seed && context["_outputs.end"] == seed
            && context.keys.allSatisfy { !ContextKeys.isInternal($0) && !$0.hasPrefix("_dynamic.") }
    }

    /// The `flowcraft` executable built next to the test bundle.
    static var flowcraftBinary: String? {
        let directory = URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent()
        for candidate in [directory, directory.deletingLastPathComponent()] {
            let path = candidate.appendingPathComponent("flowcraft").path
            if FileManager.default.isExecutableFile(atPath: path) { return path }
        }
        return nil
    }

    /// A `flowcraft worker --simulate` child process.
    final class WorkerProcess: Sendable {
        let process: ChildProcess

        /// `--max-stalled-count` of the test workers. A job the victim holds at each of the (up to
        /// three) kills of a test stalls each time; with the default of 1 its second stall fails the
        /// run by design ("job stalled more than allowable limit", covered by `StalledNodeJobTests`),
        /// which a loaded machine hits now and then. The chaos tests check that recovery loses and
        /// repeats nothing, so every stall they can cause is allowed.
        static let maxStalledCount = 3

        init(
            binary: String, blueprints: String, url: String, queue: String, name: String, workMilliseconds: Int = 15,
            extra: [String] = []
        ) throws {
            // The log goes next to the blueprints (one file per process start), so a failed test can
            // show what the worker saw.
            let logs = URL(fileURLWithPath: blueprints).appendingPathComponent("logs")
            try FileManager.default.createDirectory(at: logs, withIntermediateDirectories: true)
            let log = logs.appendingPathComponent("\(name)-\(UUID().uuidString.prefix(8)).log")
            process = try ChildProcess(
                [
                    binary, "worker", "--blueprints", blueprints, "--redis", url, "--queue", queue, "--simulate",
                    "--work-ms", "\(workMilliseconds)",
                    "--concurrency", "16", "--lock-duration", "1000", "--stalled-interval", "500", "--max-stalled-count", "\(Self.maxStalledCount)", "--name", name,
                ] + extra,
                standardError: log.path)
        }

        /// The last `lines` lines of every worker log under `directory`, each file headed by its name
        /// and whether the process had exited.
        static func logTails(in directory: URL, lines: Int = 15) -> String {
            let logs = directory.appendingPathComponent("logs")
            let files = (try? FileManager.default.contentsOfDirectory(atPath: logs.path))?.sorted() ?? []
            return files.map { file in
                let text = (try? String(contentsOf: logs.appendingPathComponent(file), encoding: .utf8)) ?? ""
                let tail = text.split(separator: "\n").suffix(lines).joined(separator: "\n")
                return "--- \(file)\n\(tail)"
            }.joined(separator: "\n")
        }

        /// SIGKILL, then wait for the exit without blocking a cooperative thread.
        func kill() async {
            process.send(SIGKILL)
            await process.waitForExit(timeout: .seconds(5))
        }
    }

    struct Setup {
        let directory: URL
        let queue: String
        let binary: String
        /// `--work-ms` of the worker processes.
        var workMilliseconds = 15
        /// Arguments every worker process gets after the common ones.
        var workerArguments: [String] = []
    }

    static func prepare(
        _ blueprint: WorkflowBlueprint = blueprint, workMilliseconds: Int = 15, workerArguments: [String] = []
    ) throws -> Setup {
        let binary = try #require(flowcraftBinary, "the flowcraft executable must be built (swift build --build-tests)")
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("flowcraft-chaos-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        // JSON is YAML: the CLI reads the blueprint from this file.
        try JSONEncoder().encode(blueprint).write(to: directory.appendingPathComponent("\(blueprint.id).json"))
        return Setup(
            directory: directory, queue: DistributedTestSupport.uniqueQueue("chaos"), binary: binary,
            workMilliseconds: workMilliseconds, workerArguments: workerArguments)
    }

    /// Runs the reconciler every half second until every run left `running` (completed, failed,
    /// cancelled or awaiting) or `timeout` passed; returns the runs still running.
    static func reconcileUntilFinished(
        _ runIDs: [String], workflows: WorkflowClient, reconciler: WorkflowReconciler, timeout: Duration
    ) async throws -> Set<String> {
        var unfinished = Set(runIDs)
        let deadline = ContinuousClock.now + timeout
        while !unfinished.isEmpty && ContinuousClock.now < deadline {
            try await Task.sleep(for: .milliseconds(500))
            _ = try? await reconciler.run()
            for runID in unfinished {
                if let status = try? await workflows.status(runID), status.status != .running { unfinished.remove(runID) }
            }
        }
        return unfinished
    }

    /// Starts the runs, lets `disturb` do its damage, reconciles until every run finished, and checks
    /// that each completed with every completion committed exactly once (the done set per run; by
    /// default one per node) and, when given, `check` holds for its final context.
    static func exercise(
        url: String, configuration: RedisConfiguration, setup: Setup, blueprint: WorkflowBlueprint = blueprint,
        runs: Int = runs, context: [String: JSONValue] = [:], commits: Int? = nil,
        check: @Sendable ([String: JSONValue]) -> Bool = { _ in true }, disturbWhileStarting: Bool = false,
        disturb: @escaping @Sendable (_ restartWorker: @escaping @Sendable () async throws -> Void) async throws -> Void
    ) async throws {
        let options = DistributedOptions(queueName: setup.queue, stateTTLSeconds: 600)
        let client = RedisClient(configuration: configuration)
        let catalog = try BlueprintCatalog([blueprint])
        let expectedCommits = commits ?? blueprint.nodes.count
        let workflows = WorkflowClient(client: client, catalog: catalog, options: options)
        let stable = try WorkerProcess(
            binary: setup.binary, blueprints: setup.directory.path, url: url, queue: setup.queue, name: "stable",
            workMilliseconds: setup.workMilliseconds, extra: setup.workerArguments)
        let victim = PthreadMutex(try WorkerProcess(
            binary: setup.binary, blueprints: setup.directory.path, url: url, queue: setup.queue, name: "victim",
            workMilliseconds: setup.workMilliseconds, extra: setup.workerArguments))

        let restartWorker: @Sendable () async throws -> Void = {
            await victim.withLock { $0 }.kill()
            let fresh = try WorkerProcess(
                binary: setup.binary, blueprints: setup.directory.path, url: url, queue: setup.queue, name: "victim",
                workMilliseconds: setup.workMilliseconds, extra: setup.workerArguments)
            victim.withLock { $0 = fresh }
        }
        // `disturbWhileStarting`: the disturbance goes on while the runs are started (it waits for runs
        // in flight itself): on a loaded machine the starts can outlast the runs themselves, and a
        // disturbance after the last start would land after the last run finished.
        let early = disturbWhileStarting ? Task { try await disturb(restartWorker) } : nil
        let runIDs: [String]
        do {
            // Started 16 at a time: one after another, the starts take longer still.
            runIDs = try await withThrowingTaskGroup(of: [String].self) { group in
                for lane in 0..<16 {
                    group.addTask {
                        var ids: [String] = []
                        for _ in stride(from: lane, to: runs, by: 16) {
                            ids.append(try await workflows.startWorkflow(blueprintID: blueprint.id, context: context))
                        }
                        return ids
                    }
                }
                var all: [String] = []
                for try await ids in group { all += ids }
                return all
            }
            if let early { try await early.value } else { try await disturb(restartWorker) }
        } catch {
            // No worker process outlives a failed test.
            early?.cancel()
            _ = try? await early?.value
            await stable.kill()
            await victim.withLock { $0 }.kill()
            await client.close()
            throw error
        }
        let unfinished = try await Self.reconcileUntilFinished(
            runIDs, workflows: workflows, reconciler: WorkflowReconciler(
                client: client, catalog: catalog, options: options, stalledThresholdSeconds: 3),
            timeout: .seconds(45))
        let processes = [("stable", stable), ("victim", victim.withLock { $0 })].map { name, worker in
            "\(name) \(worker.process.terminationStatus.map { "exited with \($0)" } ?? "running")"
        }
        await stable.kill()
        await victim.withLock { $0 }.kill()

        if !unfinished.isEmpty {
            // What went wrong: runs whose state is gone (lost with a server) or still running, and
            // what the workers logged last.
            var missing = 0
            for runID in unfinished where (try? await workflows.status(runID)) ?? nil == nil { missing += 1 }
            Issue.record("""
                \(unfinished.count) runs did not finish (\(missing) without any state left); workers at the \
                end: \(processes.joined(separator: ", "))
                \(WorkerProcess.logTails(in: setup.directory))
                """)
        }
        var notCompleted = 0
        var notCompletedReasons: [String] = []
        var wrongResults = 0
        var wrongCommits: [String: Int] = [:]
        for runID in runIDs {
            let status = try await workflows.status(runID)
            if status?.status != .completed {
                notCompleted += 1
                notCompletedReasons.append(Self.describe(runID, status))
            }
            if let status, status.status == .completed, !check(status.context) { wrongResults += 1 }
            let commits = try await client.send(["SCARD", DistributedKeys(runID: runID).done]).int ?? 0
            if commits != expectedCommits { wrongCommits[runID] = commits }
        }
        #expect(notCompleted == 0, "runs that did not complete: \(notCompletedReasons.prefix(5))")
        #expect(wrongResults == 0, "\(wrongResults) runs completed with a wrong result")
        #expect(wrongCommits.isEmpty, "runs whose node completions were not committed exactly once: \(Self.describe(commits: wrongCommits))")
        await client.close()
        try? FileManager.default.removeItem(at: setup.directory)
    }

    /// A run that did not complete, for a failure message: its status, the node and the reason.
    static func describe(_ runID: String, _ status: DistributedRunStatus?) -> String {
        "\(runID): \(status.map { "\($0.status) at \($0.nodeID ?? "-"): \($0.reason ?? "-")" } ?? "no state")"
    }

    /// The first five runs (by id) whose commit count was wrong, for a failure message.
    static func describe(commits: [String: Int]) -> [String] {
        commits.sorted { $0.key < $1.key }.prefix(5).map { "\($0.key): \($0.value)" }
    }

    /// Polls the queue's active-runs index until some run is in flight (a run enters it at its first
    /// commit; the worker processes start slowly on a loaded machine), for up to 30 s; returns the
    /// count last read.
    static func waitUntilRunsAreActive(client: RedisClient, queue: String) async throws -> Int {
        let deadline = ContinuousClock.now + .seconds(30)
        var active = -1
        repeat {
            active = (try? await client.send(["ZCARD", DistributedKeys.activeRuns(queue: queue)]))?.int ?? -1
            if active > 0 { break }
            try await Task.sleep(for: .milliseconds(50))
        } while ContinuousClock.now < deadline
        return active
    }

    /// Restarts the victim worker three times (first as soon as runs are in flight, then at random moments), and checks that the first kill landed
    /// while runs were in flight (a kill after every run finished tests nothing).
    static func killWhileRunsAreActive(
        _ restartWorker: () async throws -> Void, configuration: RedisConfiguration, queue: String,
        pause: ClosedRange<Int> = 100...300
    ) async throws {
        let client = RedisClient(configuration: configuration)
        var activeAtKills: [Int] = []
        do {
            // The first kill right after runs are seen in flight (on a fast machine they all finish
            // within a few hundred milliseconds); the others at random moments after it.
            activeAtKills.append(try await waitUntilRunsAreActive(client: client, queue: queue))
            try await restartWorker()
            for _ in 1..<3 {
                try await Task.sleep(for: .milliseconds(Int.random(in: pause)))
                activeAtKills.append((try? await client.send(["ZCARD", DistributedKeys.activeRuns(queue: queue)]))?.int ?? -1)
                try await restartWorker()
            }
        } catch {
            await client.close()
            throw error
        }
        await client.close()
        #expect(activeAtKills.first ?? 0 > 0, "the first kill must land while runs are active: \(activeAtKills)")
    }

    @Test("200 runs on two worker processes, one SIGKILLed and restarted at random moments: all complete, each node committed once")
    func killedWorker() async throws {
        // 40 ms of work per node keeps the runs in flight while the kills land (checked).
        let setup = try Self.prepare(workMilliseconds: 40)
        let url = try #require(TestRedis.url)
        let configuration = try TestRedis.configuration()
        try await Self.exercise(url: url, configuration: configuration, setup: setup, disturbWhileStarting: true) { restartWorker in
            try await Self.killWhileRunsAreActive(restartWorker, configuration: configuration, queue: setup.queue)
        }
    }

    @Test("the same while Redis (AOF on) is killed and restarted mid-run", .requiresRedisServerBinary)
    func restartedRedis() async throws {
        let setup = try Self.prepare()
        try await PrivateRedisServer.with(appendOnly: true) { server in
            try await Self.exercise(url: server.url, configuration: server.configuration(), setup: setup) { restartWorker in
                try await Task.sleep(for: .milliseconds(Int.random(in: 200...400)))
                try await server.restart(kill: true)
                try await Task.sleep(for: .milliseconds(Int.random(in: 150...300)))
                try await restartWorker()
            }
        }
    }

    @Test("60 batch runs (6 worker jobs each) while a worker process is SIGKILLed and restarted: all complete, each worker committed once")
    func killedWorkerDuringBatches() async throws {
        let setup = try Self.prepare(Self.batchBlueprint, workMilliseconds: 40)
        let url = try #require(TestRedis.url)
        let configuration = try TestRedis.configuration()
        let items = Self.batchItems
        // start, scatter, one per worker, the scatter's continuation, gather, end.
        try await Self.exercise(
            url: url, configuration: configuration, setup: setup, blueprint: Self.batchBlueprint,
            runs: Self.batchRuns, context: ["items": .array(items)], commits: 5 + items.count,
            check: { $0["results"] == .array(items) }, disturbWhileStarting: true
        ) { restartWorker in
            try await Self.killWhileRunsAreActive(restartWorker, configuration: configuration, queue: setup.queue)
        }
    }

    @Test("dynamic nodes from `flowcraft worker --simulate --dynamic` without kills: each committed once, outputs in the context")
    func dynamicNodesWithoutKills() async throws {
        let setup = try Self.prepare(Self.dynamicBlueprint, workerArguments: ["--dynamic", "spawner=\(Self.dynamicCount)"])
        let url = try #require(TestRedis.url)
        try await Self.exercise(
            url: url, configuration: try TestRedis.configuration(), setup: setup, blueprint: Self.dynamicBlueprint,
            runs: 5, context: ["seed": "calm"], commits: Self.dynamicCommits,
            check: { Self.dynamicRunIsComplete($0, seed: "calm") }
        ) { _ in }
    }

    @Test("80 runs whose node returns 5 dynamic nodes while a worker process is SIGKILLed and restarted: all complete, each committed once")
    func killedWorkerDuringDynamicNodes() async throws {
        // 40 ms of work per node: 80 runs of 9 jobs keep both workers busy for about a second, so
        // the kills land while runs are in flight (checked below).
        let setup = try Self.prepare(
            Self.dynamicBlueprint, workMilliseconds: 40, workerArguments: ["--dynamic", "spawner=\(Self.dynamicCount)"])
        let url = try #require(TestRedis.url)
        let configuration = try TestRedis.configuration()
        try await Self.exercise(
            url: url, configuration: configuration, setup: setup, blueprint: Self.dynamicBlueprint,
            runs: Self.dynamicRuns, context: ["seed": "chaos"], commits: Self.dynamicCommits,
            check: { Self.dynamicRunIsComplete($0, seed: "chaos") }, disturbWhileStarting: true
        ) { restartWorker in
            try await Self.killWhileRunsAreActive(restartWorker, configuration: configuration, queue: setup.queue)
        }
    }
}

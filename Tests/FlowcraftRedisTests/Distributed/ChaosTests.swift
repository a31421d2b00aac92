import Foundation
import Synchronization
import Flowcraft
@testable import FlowcraftRedis
import Testing

#if canImport(Glibc)
import Glibc
#endif

/// Reliability under failure: many concurrent runs of a fan-out/fan-in blueprint on two `flowcraft
/// worker` processes while one is SIGKILLed and restarted — and, separately, while Redis (AOF on) is
/// killed and restarted. Every run must complete and every node's completion be committed exactly
/// once (the run's commit counter, a side effect of each commit, equals the node count).
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
        let process: Process

        init(binary: String, blueprints: String, url: String, queue: String, name: String) throws {
            process = Process()
            process.executableURL = URL(fileURLWithPath: binary)
            process.arguments = [
                "worker", "--blueprints", blueprints, "--redis", url, "--queue", queue, "--simulate", "--work-ms", "15",
                "--concurrency", "16", "--lock-duration", "1000", "--stalled-interval", "500", "--name", name,
            ]
            process.standardOutput = FileHandle.nullDevice
            process.standardError = FileHandle.nullDevice
            try process.run()
        }

        /// SIGKILL, then wait for the exit without blocking a cooperative thread.
        func kill() async {
            guard process.isRunning else { return }
            Glibc.kill(process.processIdentifier, SIGKILL)
            for _ in 0..<500 where process.isRunning { try? await Task.sleep(for: .milliseconds(10)) }
        }
    }

    struct Setup {
        let directory: URL
        let queue: String
        let binary: String
    }

    static func prepare() throws -> Setup {
        let binary = try #require(flowcraftBinary, "the flowcraft executable must be built (swift build --build-tests)")
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("flowcraft-chaos-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        // JSON is YAML: the CLI reads the blueprint from this file.
        try JSONEncoder().encode(blueprint).write(to: directory.appendingPathComponent("fan.json"))
        return Setup(directory: directory, queue: DistributedTestSupport.uniqueQueue("chaos"), binary: binary)
    }

    /// Starts the runs, lets `disturb` do its damage, reconciles until every run finished, and checks
    /// that each completed with every node committed exactly once.
    static func exercise(
        url: String, configuration: RedisConfiguration, setup: Setup,
        disturb: @Sendable (_ restartWorker: @Sendable () async throws -> Void) async throws -> Void
    ) async throws {
        let options = DistributedOptions(queueName: setup.queue, stateTTLSeconds: 600)
        let client = RedisClient(configuration: configuration)
        let catalog = try BlueprintCatalog([blueprint])
        let workflows = WorkflowClient(client: client, catalog: catalog, options: options)
        let stable = try WorkerProcess(
            binary: setup.binary, blueprints: setup.directory.path, url: url, queue: setup.queue, name: "stable")
        let victim = Mutex(try WorkerProcess(
            binary: setup.binary, blueprints: setup.directory.path, url: url, queue: setup.queue, name: "victim"))

        var runIDs: [String] = []
        for _ in 0..<runs { runIDs.append(try await workflows.startWorkflow(blueprintID: "fan")) }

        try await disturb {
            await victim.withLock { $0 }.kill()
            let fresh = try WorkerProcess(
                binary: setup.binary, blueprints: setup.directory.path, url: url, queue: setup.queue, name: "victim")
            victim.withLock { $0 = fresh }
        }

        let reconciler = WorkflowReconciler(client: client, catalog: catalog, options: options, stalledThresholdSeconds: 3)
        var unfinished = Set(runIDs)
        let deadline = ContinuousClock.now + .seconds(45)
        while !unfinished.isEmpty && ContinuousClock.now < deadline {
            try await Task.sleep(for: .milliseconds(500))
            _ = try? await reconciler.run()
            for runID in unfinished {
                if let status = try? await workflows.status(runID), status.status != .running { unfinished.remove(runID) }
            }
        }
        await stable.kill()
        await victim.withLock { $0 }.kill()

        #expect(unfinished.isEmpty, "\(unfinished.count) runs did not finish")
        var notCompleted = 0
        var wrongCommits: [String: Int] = [:]
        for runID in runIDs {
            let status = try await workflows.status(runID)
            if status?.status != .completed { notCompleted += 1 }
            let commits = try await client.send(["HGET", DistributedKeys(runID: runID).run, "commits"]).int ?? 0
            if commits != blueprint.nodes.count { wrongCommits[runID] = commits }
        }
        #expect(notCompleted == 0)
        #expect(wrongCommits.isEmpty, "runs whose node completions were not committed exactly once: \(wrongCommits.prefix(5))")
        await client.close()
        try? FileManager.default.removeItem(at: setup.directory)
    }

    @Test("200 runs on two worker processes, one SIGKILLed and restarted at random moments: all complete, each node committed once")
    func killedWorker() async throws {
        let setup = try Self.prepare()
        let url = try #require(TestRedis.url)
        try await Self.exercise(url: url, configuration: try TestRedis.configuration(), setup: setup) { restartWorker in
            for _ in 0..<3 {
                try await Task.sleep(for: .milliseconds(Int.random(in: 150...400)))
                try await restartWorker()
            }
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
}

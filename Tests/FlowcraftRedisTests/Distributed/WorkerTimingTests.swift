import Foundation
import Flowcraft
@testable import FlowcraftRedis
import Testing

/// Item 8 of "Production deployment": `flowcraft worker`'s lock duration, stalled interval, max
/// stalled count and retention options, validated, and a killed worker's job taken over quickly
/// with short settings.
@Suite("Worker timing and retention options", .enabled(if: ChaosTests.flowcraftBinary != nil))
struct WorkerTimingTests {
    /// Runs the executable to its end (``ChildProcess``: posix_spawn, output to files).
    static func run(_ arguments: [String]) async throws -> ChildProcess.Outcome {
        try await ChildProcess.run([try #require(ChaosTests.flowcraftBinary)] + arguments)
    }

    static func blueprintDirectory(_ blueprint: WorkflowBlueprint) throws -> URL {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("flowcraft-timing-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        try JSONEncoder().encode(blueprint).write(to: directory.appendingPathComponent("\(blueprint.id).json"))
        return directory
    }

    static let blueprint = WorkflowBlueprint(id: "slow", nodes: [NodeDefinition(id: "work", uses: "work")], edges: [])

    @Test("out-of-range --max-stalled-count, --keep-completed, --keep-failed and --lock-renew-interval are refused with clear errors")
    func invalidValuesAreRefused() async throws {
        let directory = try Self.blueprintDirectory(Self.blueprint)
        defer { try? FileManager.default.removeItem(at: directory) }
        let base = ["worker", "--blueprints", directory.path, "--redis", "redis://127.0.0.1:1", "--simulate"]
        let cases: [(arguments: [String], message: String)] = [
            (["--max-stalled-count", "5000"], "--max-stalled-count must be from 0 to 1000, got 5000"),
            (["--keep-completed", "lots"], "--keep-completed"),
            (["--keep-failed", "1.5"], "--keep-failed"),
            (["--lock-renew-interval", "0"], "--lock-renew-interval must be at least 1 ms, got 0"),
            (["--lock-renew-interval", "40000"], "--lock-renew-interval (40000 ms) must be below --lock-duration (30000 ms)"),
        ]
        for (arguments, message) in cases {
            let outcome = try await Self.run(base + arguments)
            #expect(outcome.status != 0, "\(arguments)")
            #expect(outcome.stderr.contains(message), "\(arguments): \(outcome.stderr)")
            #expect(!outcome.stderr.contains("serving queue"), "\(arguments) must stop before serving")
        }
        let help = try await Self.run(["worker", "--help"])
        for option in ["--keep-completed <n|all>", "--keep-failed <n|all>", "--max-stalled-count", "--lock-renew-interval", "--lock-duration", "--stalled-interval"] {
            #expect(help.stdout.contains(option), "\(option) in: \(help.stdout)")
        }
    }

    @Test("with short lock and stalled settings a SIGKILLed worker's job is taken over by another worker: the lock lives 2 s and the stalled sweep runs every second", .enabled(if: TestRedis.isEnabled))
    func killedWorkersJobIsTakenOverQuickly() async throws {
        let url = try #require(TestRedis.url)
        let directory = try Self.blueprintDirectory(Self.blueprint)
        defer { try? FileManager.default.removeItem(at: directory) }
        let queueName = DistributedTestSupport.uniqueQueue("takeover")
        let short = ["--lock-duration", "2000", "--stalled-interval", "1000", "--max-stalled-count", "2"]
        func worker(_ name: String, workMilliseconds: Int) throws -> Process {
            let process = Process()
            process.executableURL = URL(fileURLWithPath: try #require(ChaosTests.flowcraftBinary))
            process.arguments = [
                "worker", "--blueprints", directory.path, "--redis", url, "--queue", queueName, "--simulate",
                "--work-ms", String(workMilliseconds), "--name", name,
            ] + short
            process.standardOutput = FileHandle.nullDevice
            process.standardError = FileHandle.nullDevice
            try process.run()
            return process
        }
        let client = try TestRedis.client()
        let options = DistributedOptions(queueName: queueName, stateTTLSeconds: 600)
        let workflows = try WorkflowClient(client: client, blueprints: [Self.blueprint], options: options)
        let queue = try Queue(name: queueName, client: client)
        let victim = try worker("victim", workMilliseconds: 60_000)
        var rescuer: Process?
        defer {
            for process in [victim, rescuer].compactMap({ $0 }) where process.isRunning { kill(process.processIdentifier, SIGKILL) }
        }
        let runID = try await workflows.startWorkflow(blueprintID: "slow", context: ["x": 1])
        // The victim holds the job (it works for a minute).
        for _ in 0..<500 where try await queue.getJobCounts().active == 0 { try await Task.sleep(for: .milliseconds(20)) }
        #expect(try await queue.getJobCounts().active == 1)
        // The options reach Redis: the victim's lock lives 2 s (not the default 30 s).
        let activeJob = try #require(try await client.send(["LRANGE", "bull:\(queueName):active", "0", "-1"]).array?.first?.string)
        let lockTTL = try await client.send(["PTTL", "bull:\(queueName):\(activeJob):lock"]).int ?? -1
        #expect((1...2000).contains(lockTTL), "lock PTTL \(lockTTL) ms")
        kill(victim.processIdentifier, SIGKILL)
        rescuer = try worker("rescuer", workMilliseconds: 0)
        // The rescuer's stalled sweeps run once a second (the check key lives 1 s, not 30 s).
        var sweepTTL: Int = -2
        for _ in 0..<500 where sweepTTL < 0 {
            sweepTTL = try await client.send(["PTTL", "bull:\(queueName):stalled-check"]).int ?? -2
            if sweepTTL < 0 { try await Task.sleep(for: .milliseconds(10)) }
        }
        #expect((1...1000).contains(sweepTTL), "stalled-check PTTL \(sweepTTL) ms")
        // Completes before the victim's 60 s of work would have ended: the rescuer took the job over.
        let status = try await workflows.result(runID, timeout: .seconds(45))
        #expect(status.status == .completed)
        await client.close()
    }
}

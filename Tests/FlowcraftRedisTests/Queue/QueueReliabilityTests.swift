import Flowcraft
import Foundation
import FlowcraftModel
@testable import FlowcraftRedis
import Testing

#if canImport(Glibc)
import Glibc
#endif

/// Failures around a running worker: its process killed, its Redis restarted.
@Suite("Queue reliability")
struct QueueReliabilityTests {
    /// The `flowcraft` executable built next to the test bundle (`swift build` builds it).
    static let flowcraftBinary: String? = {
        var directory = URL(fileURLWithPath: CommandLine.arguments.first ?? "").deletingLastPathComponent()
        for _ in 0..<3 {
            let candidate = directory.appendingPathComponent("flowcraft").path
            if FileManager.default.isExecutableFile(atPath: candidate) { return candidate }
            directory = directory.deletingLastPathComponent()
        }
        return nil
    }()

    @Test("a worker process killed with SIGKILL mid-job: the job is recovered and completed by another worker",
          .requiresRedis)
    func killedWorkerProcess() async throws {
        guard let binary = Self.flowcraftBinary else {
            Issue.record("the flowcraft executable was not found next to the tests; run `swift build` first")
            return
        }
        let url = try #require(TestRedis.url)
        let client = try TestRedis.client()
        let name = QueueTestSupport.uniqueQueueName("kill")
        let queue = try Queue(name: name, client: client)
        let process = Process()
        process.executableURL = URL(fileURLWithPath: binary)
        process.arguments = [
            "queue-worker", "--url", url, "--queue", name, "--name", "victim",
            // A 3 s lock: a renewal more than a second late on a loaded machine must not let the
            // victim's own stalled check take the job back before the kill.
            "--lock-duration", "3000", "--stalled-interval", "300",
        ]
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle.nullDevice
        try process.run()
        defer { if process.isRunning { kill(process.processIdentifier, SIGKILL) } }

        let id = try await queue.add(name: "slow", data: ["sleepMs": 60_000, "i": 1])
        // Wait until the victim holds the job, then kill it without any chance to clean up.
        try await QueueTestSupport.expectEventually { try await queue.getJob(id)?.processedBy == "victim" }
        kill(process.processIdentifier, SIGKILL)
        try await QueueTestSupport.expectEventually { !process.isRunning }
        #expect(try await queue.getState(id) == .active)

        let rescuer = try Worker(queueName: name, client: client, options: QueueTestSupport.stallingOptions(name: "rescuer"),
                                 logger: QueueTestSupport.quietLogger) { job in ["rescued": job.data["i"] ?? nil] }
        try await QueueTestSupport.withRunningWorker(rescuer) {
            try await QueueTestSupport.expectEventually { try await queue.getState(id) == .completed }
        }
        let job = try #require(try await queue.getJob(id))
        #expect(job.returnValue == ["rescued": 1])
        #expect(job.stalledCount == 1)
        #expect(job.attemptsStarted == 2)
        await client.close()
    }

    @Test("Redis restarted under a running worker: it reconnects and no job is lost", .requiresRedisServerBinary)
    func redisRestart() async throws {
        try await PrivateRedisServer.with(appendOnly: true) { server in
            let client = RedisClient(configuration: server.configuration(), poolSize: 2)
            let name = QueueTestSupport.uniqueQueueName("restart")
            let queue = try Queue(name: name, client: client)
            let processed = PthreadMutex<[Int: Int]>([:])
            let worker = try Worker(queueName: name, client: client, options: QueueTestSupport.stallingOptions(concurrency: 4),
                                    logger: QueueTestSupport.quietLogger) { job in
                let i = job.data["i"]?.intValue ?? -1
                processed.withLock { $0[i, default: 0] += 1 }
                try await Task.sleep(for: .milliseconds(5))
                return nil
            }
            try await QueueTestSupport.withRunningWorker(worker) {
                try await queue.addBulk((0..<200).map { JobDescription(name: "n", data: ["i": .int($0)]) })
                try await QueueTestSupport.expectEventually { processed.withLock { $0.count } >= 20 }
                try await server.restart()
                // Add more after the restart: the worker must pick those up too.
                try await addWithRetry(queue, (200..<400).map { JobDescription(name: "n", data: ["i": .int($0)]) })
                try await QueueTestSupport.expectEventually(within: 40) {
                    (try? await queue.getJobCounts().completed) == 400
                }
            }
            let seen = processed.withLock { $0 }
            #expect((0..<400).allSatisfy { seen[$0] != nil })
            await client.close()
        }
    }

    private func addWithRetry(_ queue: Queue, _ jobs: [JobDescription]) async throws {
        for attempt in 0..<50 {
            do {
                try await queue.addBulk(jobs)
                return
            } catch where attempt < 49 {
                try await Task.sleep(for: .milliseconds(100))
            }
        }
    }
}

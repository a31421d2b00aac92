import ArgumentParser
import FlowcraftModel
import FlowcraftRedis
import Foundation
import Logging

/// `flowcraft queue-worker` (hidden): runs a BullMQ-compatible worker whose jobs sleep for
/// `data.sleepMs` milliseconds and return `{"worker": <name>, "i": data.i}`. It exists for the queue's
/// reliability tests (a worker process killed mid-job) and for manual experiments.
struct QueueWorkerCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "queue-worker",
        abstract: "Run a test worker on a BullMQ-compatible queue (for reliability tests).",
        shouldDisplay: false
    )

    @Option(help: "Redis URL.") var url = "redis://127.0.0.1:6379"
    @Option(help: "Queue name.") var queue: String
    @Option(help: "Worker name (written to each job's pb field).") var name: String?
    @Option(help: "Concurrency.") var concurrency = 1
    @Option(help: "Lock duration in ms.") var lockDuration = 30_000
    @Option(help: "Stalled-check interval in ms.") var stalledInterval = 30_000

    func validate() throws {
        try OptionBounds.check(concurrency, in: OptionBounds.concurrency, option: "--concurrency")
        try OptionBounds.check(
            lockDuration, in: OptionBounds.lockDurationMilliseconds, option: "--lock-duration", unit: "milliseconds")
        try OptionBounds.check(
            stalledInterval, in: OptionBounds.stalledIntervalMilliseconds, option: "--stalled-interval", unit: "milliseconds")
    }

    func run() async throws {
        var logger = Logger(label: "flowcraft.queue-worker")
        logger.logLevel = .warning
        let client = try RedisClient(url: url, logger: logger)
        let options = WorkerOptions(
            concurrency: concurrency, lockDuration: lockDuration, stalledInterval: stalledInterval,
            drainDelay: 1, name: name)
        let worker = try Worker(queueName: queue, client: client, options: options, logger: logger) { job in
            if let sleep = job.data["sleepMs"]?.intValue, sleep > 0 {
                try await Task.sleep(for: .milliseconds(sleep))
            }
            return ["worker": .string(options.name ?? "anonymous"), "i": job.data["i"] ?? .null]
        }
        // Announce readiness so a test can wait for it before adding jobs.
        FileHandle.standardOutput.write(Data("ready\n".utf8))
        try await worker.run()
        await client.close()
    }
}

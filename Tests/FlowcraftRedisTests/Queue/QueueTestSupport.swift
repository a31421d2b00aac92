import Foundation
import FlowcraftModel
@testable import FlowcraftRedis
import Logging
import Testing

/// Helpers shared by the queue tests: unique queue names, polling, running a worker for the length
/// of a test body, and reading the events stream.
enum QueueTestSupport {
    /// A queue name no other test uses.
    static func uniqueQueueName(_ label: String) -> String {
        "ft-\(label)-\(UUID().uuidString.prefix(8).lowercased())"
    }

    /// A logger that only reports problems, to keep test output readable.
    static var quietLogger: Logger {
        var logger = Logger(label: "flowcraft.queue.test")
        logger.logLevel = .error
        return logger
    }

    /// A short drain delay, and a lock and stalled check long enough that no job stalls however
    /// loaded the machine is (with a 1 s lock, a job whose worker was held up for a second under the
    /// first pass's load was taken back as stalled and ran again, and a test counting attempts
    /// failed): for tests that do not test stalls.
    static func fastOptions(concurrency: Int = 1, name: String? = nil) -> WorkerOptions {
        WorkerOptions(
            concurrency: concurrency, lockDuration: 30_000, stalledInterval: 30_000, maxStalledCount: 1,
            drainDelay: 0.2, name: name)
    }

    /// Short timings so lock expiry and stalled recovery happen within a test's seconds: for the
    /// tests of stalled recovery (an abandoned job's lock expires after 1 s, and the stalled check
    /// runs every 300 ms), a Redis restart's included (the jobs active then come back as stalled).
    /// A worker that must keep its job until the test abandons it takes a longer `lockDuration`: on a
    /// loaded machine a renewal can come more than a second late, and a job whose 1 s lock lapsed
    /// while its worker still ran it is (rightly) recovered from that worker too.
    static func stallingOptions(concurrency: Int = 1, name: String? = nil, lockDuration: Int = 1000) -> WorkerOptions {
        WorkerOptions(
            concurrency: concurrency, lockDuration: lockDuration, stalledInterval: 300, maxStalledCount: 1,
            drainDelay: 0.2, name: name)
    }

    /// Polls `condition` every 20 ms until it holds or `seconds` pass; returns whether it held.
    static func eventually(
        within seconds: Double = 20, _ condition: () async throws -> Bool
    ) async throws -> Bool {
        let deadline = ContinuousClock.now + .milliseconds(Int(seconds * 1000))
        while ContinuousClock.now < deadline {
            if try await condition() { return true }
            try await Task.sleep(for: .milliseconds(20))
        }
        return try await condition()
    }

    /// Records an issue unless `condition` comes to hold within `seconds` (scaled by
    /// ``TestTiming/scale``).
    static func expectEventually(
        within seconds: Double = 20, sourceLocation: Testing.SourceLocation = #_sourceLocation,
        _ condition: () async throws -> Bool
    ) async throws {
        let scaled = seconds * Double(TestTiming.scale)
        if try await eventually(within: scaled, condition) { return }
        Issue.record("condition did not hold within \(scaled) s", sourceLocation: sourceLocation)
    }

    /// Runs `body` while `worker` runs, then closes the worker gracefully.
    static func withRunningWorker(_ worker: Worker, _ body: () async throws -> Void) async throws {
        let running = Task { try await worker.run() }
        do {
            try await body()
            await worker.close()
            try await running.value
        } catch {
            await worker.close(force: true)
            _ = try? await running.value
            throw error
        }
    }

    /// The `event` names in the queue's events stream (oldest first), each with its fields.
    static func events(_ client: RedisClient, queue: String) async throws -> [[String: String]] {
        let reply = try await client.send(["XRANGE", "bull:\(queue):events", "-", "+"])
        return (reply.array ?? []).compactMap { entry in
            guard let pairs = entry.array?.last?.keyValuePairs else { return nil }
            return pairs.compactMapValues(\.string)
        }
    }

    /// The events of one job, as `event` names in order.
    static func eventNames(_ client: RedisClient, queue: String, jobId: String) async throws -> [String] {
        try await events(client, queue: queue).filter { $0["jobId"] == jobId }.compactMap { $0["event"] }
    }
}

import Flowcraft
import FlowcraftModel
@testable import FlowcraftRedis
import Logging
import Testing

/// Warning messages a ``WarningCapture`` logger was asked to log.
private final class WarningSink: Sendable {
    let messages = PthreadMutex<[String]>([])

    func count(_ text: String) -> Int { messages.withLock { $0.filter { $0.contains(text) }.count } }
}

private struct WarningCapture: LogHandler {
    let sink: WarningSink
    var metadata: Logger.Metadata = [:]
    var logLevel: Logger.Level = .warning

    subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { metadata[key] }
        set { metadata[key] = newValue }
    }

    func log(event: LogEvent) {
        guard event.level >= .warning else { return }
        sink.messages.withLock { $0.append("\(event.message)") }
    }
}

@Suite("Worker lock renewal", .requiresRedis)
struct LockRenewalTests {
    private static let lostWarning = "lock of a running job was lost"

    private static func capturingLogger(_ sink: WarningSink) -> Logger {
        Logger(label: "flowcraft.queue.test.locks") { _ in WarningCapture(sink: sink) }
    }

    /// A renewal whose snapshot of held locks included a job that finished before the renewal ran
    /// (its lock deleted by the finish) is no lost lock: a busy worker renewing often must not warn.
    @Test("a renewal racing with jobs that just finished logs no lost-lock warning")
    func renewalRacingFinishesDoesNotWarn() async throws {
        let client = try TestRedis.client()
        let name = QueueTestSupport.uniqueQueueName("renew-race")
        let queue = try Queue(name: name, client: client)
        let sink = WarningSink()
        // Renewing every 5 ms while 8 slots finish jobs back to back makes renewals whose snapshot
        // holds a job that has finished by the time the renewal runs (the original code warned
        // about a hundred times here).
        let options = WorkerOptions(
            concurrency: 8, lockDuration: 5_000, lockRenewInterval: 5, stalledInterval: 60_000, drainDelay: 0.2)
        let worker = try Worker(queueName: name, client: client, options: options, logger: Self.capturingLogger(sink)) { _ in
            try await Task.sleep(for: .milliseconds(Int.random(in: 0...2)))
            return nil
        }
        let jobs = 800
        try await QueueTestSupport.withRunningWorker(worker) {
            _ = try await queue.addBulk((0..<jobs).map { JobDescription(name: "quick", data: ["i": .int($0)]) })
            try await QueueTestSupport.expectEventually(within: 60) { try await queue.getJobCounts().completed == jobs }
        }
        #expect(sink.count(Self.lostWarning) == 0, "\(sink.messages.withLock { $0.prefix(3) })")
        await client.close()
    }

    /// A running job whose lock really went (here deleted by hand) is still reported by the renewal.
    @Test("a running job whose lock was taken away is reported by the renewal")
    func realLossWarns() async throws {
        let client = try TestRedis.client()
        let name = QueueTestSupport.uniqueQueueName("renew-lost")
        let queue = try Queue(name: name, client: client)
        let sink = WarningSink()
        let options = WorkerOptions(
            concurrency: 1, lockDuration: 5_000, lockRenewInterval: 20, stalledInterval: 60_000, drainDelay: 0.2)
        let worker = try Worker(queueName: name, client: client, options: options, logger: Self.capturingLogger(sink)) { _ in
            // Runs until the renewal has reported the loss (or 10 s pass).
            for _ in 0..<500 where sink.count(Self.lostWarning) == 0 {
                try await Task.sleep(for: .milliseconds(20))
            }
            return nil
        }
        try await QueueTestSupport.withRunningWorker(worker) {
            let id = try await queue.add(name: "slow", data: nil)
            try await QueueTestSupport.expectEventually { try await queue.getState(id) == .active }
            _ = try await client.send(["DEL", "bull:\(name):\(id):lock"])
            try await QueueTestSupport.expectEventually { sink.count(Self.lostWarning) > 0 }
        }
        await client.close()
    }
}

import Flowcraft
import Foundation
import FlowcraftModel
@testable import FlowcraftRedis
import Testing

/// Interoperability with the Python `bullmq` package (3.4.4): each side produces or consumes jobs the
/// other side handles, and both describe the same job the same way.
@Suite("BullMQ interop (Python bullmq 3.4.4)", .requiresRedis, .requiresPythonBullMQ)
struct BullMQInteropTests {
    private func setUp(_ label: String) throws -> (RedisClient, String, String)? {
        guard PythonBullMQ.require() else { return nil }
        let url = try #require(TestRedis.url)
        return (try TestRedis.client(), QueueTestSupport.uniqueQueueName(label), url)
    }

    @Test("Python producer → Swift worker: Python sees completed jobs and their return values")
    func pythonProducerSwiftWorker() async throws {
        guard let (client, name, url) = try setUp("py2sw") else { return }
        let queue = try Queue(name: name, client: client)
        let id = try #require(try await PythonBullMQ.tool(url, name, ["add", "calc", #"{"i": 21}"#]) as? String)
        _ = try await PythonBullMQ.tool(url, name, ["add-bulk", "5"])
        let worker = try Worker(queueName: name, client: client, options: QueueTestSupport.fastOptions(concurrency: 2),
                                logger: QueueTestSupport.quietLogger) { job in
            ["answer": .int((job.data["i"]?.intValue ?? 0) * 2)]
        }
        try await QueueTestSupport.withRunningWorker(worker) {
            try await QueueTestSupport.expectEventually { try await queue.getJobCounts().completed == 6 }
        }
        let seen = try #require(try await PythonBullMQ.tool(url, name, ["job", id]) as? [String: Any])
        #expect(seen["returnvalue"] as? [String: Int] == ["answer": 42])
        #expect(seen["attemptsMade"] as? Int == 1)
        #expect((seen["finishedOn"] as? Int ?? 0) > 0)
        #expect(try await PythonBullMQ.tool(url, name, ["state", id]) as? String == "completed")
        let counts = try #require(try await PythonBullMQ.tool(url, name, ["counts"]) as? [String: Int])
        #expect(counts["completed"] == 6)
        #expect(counts["waiting"] == 0 && counts["active"] == 0 && counts["failed"] == 0)
        await client.close()
    }

    @Test("Swift producer → Python worker: Swift sees the completed jobs and return values")
    func swiftProducerPythonWorker() async throws {
        guard let (client, name, url) = try setUp("sw2py") else { return }
        let queue = try Queue(name: name, client: client)
        let ids = try await queue.addBulk((0..<4).map { JobDescription(name: "calc", data: ["i": .int($0)]) })
        let delayed = try await queue.add(name: "calc", data: ["i": 10], options: JobOptions(delay: 200))
        let prioritized = try await queue.add(name: "calc", data: ["i": 20], options: JobOptions(priority: 3))
        _ = try await PythonBullMQ.tool(url, name, ["work", "6", "echo", "2"])
        let counts = try await queue.getJobCounts()
        #expect(counts.completed == 6 && counts.waiting == 0 && counts.delayed == 0 && counts.prioritized == 0)
        for (id, i) in zip(ids + [delayed, prioritized], [0, 1, 2, 3, 10, 20]) {
            let job = try #require(try await queue.getJob(id))
            #expect(job.returnValue == ["doubled": .int(2 * i)])
            #expect(job.attemptsMade == 1)
        }
        await client.close()
    }

    @Test("a retried then failed job looks the same whichever side ran it")
    func retriedThenFailedMatches() async throws {
        guard let (client, name, url) = try setUp("fail") else { return }
        let queue = try Queue(name: name, client: client)
        let options = JobOptions(attempts: 3, backoff: Backoff(.exponential, delay: 50))
        // The same job, once processed by Python and once by Swift, both always failing.
        let byPython = try await queue.add(name: "flaky", data: ["i": 1], options: options)
        _ = try await PythonBullMQ.tool(url, name, ["work", "1", "fail"])
        // Python's worker ran all three attempts itself (it used to stop after the second, leaving the
        // third to whichever worker came next, or active until the lock ran out).
        #expect(try await queue.getState(byPython) == .failed)
        let bySwift = try await queue.add(name: "flaky", data: ["i": 1], options: options)
        struct Boom: Error, CustomStringConvertible { var description: String { "boom" } }
        let worker = try Worker(queueName: name, client: client, options: QueueTestSupport.fastOptions(),
                                logger: QueueTestSupport.quietLogger) { _ in throw Boom() }
        try await QueueTestSupport.withRunningWorker(worker) {
            try await QueueTestSupport.expectEventually { try await queue.getState(bySwift) == .failed }
        }
        let python = try #require(try await queue.getJob(byPython))
        let swift = try #require(try await queue.getJob(bySwift))
        #expect(python.attemptsMade == 3 && swift.attemptsMade == 3)
        #expect(python.attemptsStarted == 3 && swift.attemptsStarted == 3)
        #expect(python.failedReason == "boom" && swift.failedReason == "boom")
        #expect(python.stacktrace.count == 3 && swift.stacktrace.count == 3)
        let pythonEvents = try await QueueTestSupport.eventNames(client, queue: name, jobId: byPython)
        let swiftEvents = try await QueueTestSupport.eventNames(client, queue: name, jobId: bySwift)
        #expect(swiftEvents == pythonEvents)
        #expect(swiftEvents.suffix(2) == ["failed", "retries-exhausted"])
        // And Python reads the Swift-failed job like its own.
        let seen = try #require(try await PythonBullMQ.tool(url, name, ["job", bySwift]) as? [String: Any])
        #expect(seen["attemptsMade"] as? Int == 3)
        #expect(seen["failedReason"] as? String == "boom")
        #expect((seen["stacktrace"] as? [String])?.count == 3)
        await client.close()
    }

    @Test("delayed and prioritized jobs from Python are processed in order by Swift")
    func pythonDelayedAndPrioritized() async throws {
        guard let (client, name, url) = try setUp("pyorder") else { return }
        let queue = try Queue(name: name, client: client)
        let delayed = try #require(try await PythonBullMQ.tool(url, name, ["add", "delayed", "{}", #"{"delay": 1500}"#]) as? String)
        _ = try await PythonBullMQ.tool(url, name, ["add", "p7", "{}", #"{"priority": 7}"#])
        _ = try await PythonBullMQ.tool(url, name, ["add", "p2", "{}", #"{"priority": 2}"#])
        _ = try await PythonBullMQ.tool(url, name, ["add", "plain", "{}"])
        let order = OrderRecorder()
        let worker = try Worker(queueName: name, client: client, options: QueueTestSupport.fastOptions(),
                                logger: QueueTestSupport.quietLogger) { job in
            order.append(job.name)
            return nil
        }
        try await QueueTestSupport.withRunningWorker(worker) {
            try await QueueTestSupport.expectEventually { try await queue.getJobCounts().completed == 4 }
        }
        // Python's process start-up can outlast the delay, so check the ready jobs' relative order and
        // that the delayed job did not run before it was due.
        #expect(order.names.filter { $0 != "delayed" } == ["plain", "p2", "p7"])
        let job = try #require(try await queue.getJob(delayed))
        #expect((job.processedOn ?? 0) >= job.timestamp + 1500)
        await client.close()
    }

    @Test("a custom id added twice, from Swift and from Python, is one job")
    func customIdAcrossClients() async throws {
        guard let (client, name, url) = try setUp("dup") else { return }
        let queue = try Queue(name: name, client: client)
        let first = try await queue.add(name: "one", data: ["from": "swift"], options: JobOptions(jobId: "shared-id"))
        let second = try #require(try await PythonBullMQ.tool(url, name, ["add", "one", #"{"from": "python"}"#, #"{"jobId": "shared-id"}"#]) as? String)
        let third = try await queue.add(name: "one", data: ["from": "swift-again"], options: JobOptions(jobId: "shared-id"))
        #expect(first == "shared-id" && second == "shared-id" && third == "shared-id")
        #expect(try await queue.getJobCounts().waiting == 1)
        #expect(try await queue.getJob("shared-id")?.data == ["from": "swift"])
        await client.close()
    }
}

/// Job names in processing order, appended from worker tasks.
private final class OrderRecorder: Sendable {
    private let storage = PthreadMutex<[String]>([])
    func append(_ name: String) { storage.withLock { $0.append(name) } }
    var names: [String] { storage.withLock { $0 } }
}

import Flowcraft
import FlowcraftModel
@testable import FlowcraftRedis
import Testing

/// ``FinishStep``: a processor's script step run inside the call that completes its job (after the
/// lock check, before any write), with the step's reply handed to `completion` exactly once.
@Suite("Finish steps", .requiresRedis)
struct FinishStepTests {
    /// The completions a test's steps reported, in order (thread-safe: the worker's slots call it).
    final class Completions: Sendable {
        private let results = PthreadMutex<[Result<RedisReply, any Error>]>([])

        func record(_ result: Result<RedisReply, any Error>) { results.withLock { $0.append(result) } }

        var all: [Result<RedisReply, any Error>] { results.withLock { $0 } }

        var successes: [RedisReply] {
            all.compactMap { if case .success(let reply) = $0 { reply } else { nil } }
        }

        var failures: [any Error] {
            all.compactMap { if case .failure(let error) = $0 { error } else { nil } }
        }
    }

    /// Writes ARGV[18] to KEYS[11], replies `{"ok", ARGV[18]}` and closes the return value with
    /// ARGV[18] — unless ARGV[19] is "refuse": then it refuses before writing anything.
    static let writeStep = QueueScript.moveToFinished(attaching: FinishStep.Lua(
        name: "testWriteStep", definitions: "",
        call: #"""
if ARGV[19] == "refuse" then
  attached = redis.error_reply("ERR flowcraft step refused")
else
  redis.call("SET", KEYS[11], ARGV[18])
  attached = { "ok", ARGV[18] }
  valueSuffix = ARGV[18] .. '"}'
end
"""#))

    /// Increments KEYS[11] and replies (and closes the return value) with the new count.
    static let countStep = QueueScript.moveToFinished(attaching: FinishStep.Lua(
        name: "testCountStep", definitions: "",
        call: #"""
attached = { redis.call("INCR", KEYS[11]) }
valueSuffix = tostring(attached[1]) .. "}"
"""#))

    /// Writes KEYS[11], then fails mid-way: `INCR` of the non-integer it just wrote is a Lua error
    /// that comes after a write (not a refusal: it does not start with ``FinishStep/refusalPrefix``).
    static let failAfterWriteStep = QueueScript.moveToFinished(attaching: FinishStep.Lua(
        name: "testFailAfterWriteStep", definitions: "",
        call: #"""
redis.call("SET", KEYS[11], "x")
attached = { redis.call("INCR", KEYS[11]) }
"""#))

    static func worker(
        _ queue: String, client: RedisClient, concurrency: Int = 1,
        _ process: @escaping @Sendable (Job) async throws -> ProcessedJob
    ) throws -> Worker {
        try Worker(
            queueName: queue, client: client, options: QueueTestSupport.fastOptions(concurrency: concurrency),
            logger: QueueTestSupport.quietLogger, stepProcessor: Worker.StepProcessor(process: process))
    }

    @Test("a step's write and the job's completion happen in the finishing call; its reply reaches completion")
    func stepWritesAndCompletes() async throws {
        let client = try TestRedis.client()
        let name = QueueTestSupport.uniqueQueueName("step")
        let queue = try Queue(name: name, client: client)
        let key = TestRedis.uniqueKey("finish-step")
        let completions = Completions()
        let worker = try Self.worker(name, client: client) { job in
            .finishing(FinishStep(
                script: Self.writeStep, keys: [key], arguments: [job.data["value"]?.stringValue ?? "", "write"],
                returnValuePrefix: #"{"step":""#, completion: completions.record))
        }
        var id = ""
        try await QueueTestSupport.withRunningWorker(worker) {
            id = try await queue.add(name: "step", data: ["value": "hello"])
            try await QueueTestSupport.expectEventually(within: 30) { try await queue.getState(id) == .completed }
        }
        #expect(try await client.send(["GET", key]).string == "hello")
        let job = try #require(try await queue.getJob(id))
        #expect(job.returnValueText == #"{"step":"hello"}"#)
        #expect(job.returnValue == ["step": "hello"])
        #expect(job.attemptsMade == 1)
        let events = try await QueueTestSupport.events(client, queue: name).filter { $0["jobId"] == id }
        #expect(events.compactMap { $0["event"] } == ["added", "waiting", "active", "completed"])
        #expect(events.last?["returnvalue"] == #"{"step":"hello"}"#)
        // The worker is closed: the completion was called, exactly once, with the step's reply.
        #expect(completions.all.count == 1)
        #expect(completions.successes.map { $0.array?.compactMap(\.string) } == [["ok", "hello"]])
        _ = try await client.send(["DEL", key])
        await client.close()
    }

    @Test("a step's error reply leaves the job to fail the attempt with that error; nothing is written")
    func refusedStepFailsTheAttempt() async throws {
        let client = try TestRedis.client()
        let name = QueueTestSupport.uniqueQueueName("refuse")
        let queue = try Queue(name: name, client: client)
        let key = TestRedis.uniqueKey("finish-step")
        let completions = Completions()
        let runs = PthreadMutex(0)
        let worker = try Self.worker(name, client: client) { _ in
            runs.withLock { $0 += 1 }
            return .finishing(FinishStep(
                script: Self.writeStep, keys: [key], arguments: ["never", "refuse"], returnValuePrefix: #"{"step":""#,
                completion: completions.record))
        }
        var id = ""
        try await QueueTestSupport.withRunningWorker(worker) {
            id = try await queue.add(name: "refuse", data: nil, options: JobOptions(attempts: 1))
            try await QueueTestSupport.expectEventually(within: 30) { try await queue.getState(id) == .failed }
        }
        let job = try #require(try await queue.getJob(id))
        #expect(job.failedReason?.contains("step refused") == true, "failedReason: \(job.failedReason ?? "nil")")
        #expect(job.returnValueText == nil)
        #expect(job.attemptsMade == 1)
        #expect(job.stalledCount == 0)
        #expect(runs.withLock { $0 } == 1)
        // Nothing else written: not the step's key, not a completion.
        #expect(try await client.send(["EXISTS", key]).int == 0)
        let counts = try await queue.getJobCounts()
        #expect(counts.completed == 0 && counts.failed == 1 && counts.active == 0)
        let events = try await QueueTestSupport.eventNames(client, queue: name, jobId: id)
        #expect(events == ["added", "waiting", "active", "failed", "retries-exhausted"])
        // The completion was called once, with the step's error.
        #expect(completions.all.count == 1)
        #expect(completions.successes.isEmpty)
        let failure = try #require(completions.failures.first)
        #expect(failure is FinishStepRejected, "completion failed with \(type(of: failure)): \(failure)")
        #expect("\(failure)".contains("step refused"))
        await client.close()
    }

    @Test("a refused step is retried by the job's attempts like a throwing processor; the next attempt completes")
    func refusedStepIsRetried() async throws {
        let client = try TestRedis.client()
        let name = QueueTestSupport.uniqueQueueName("reretry")
        let queue = try Queue(name: name, client: client)
        let key = TestRedis.uniqueKey("finish-step")
        let completions = Completions()
        let worker = try Self.worker(name, client: client) { job in
            // The first attempt's step refuses, the second one's writes.
            let mode = job.attemptsMade == 0 ? "refuse" : "write"
            return .finishing(FinishStep(
                script: Self.writeStep, keys: [key], arguments: ["attempt-\(job.attemptsMade + 1)", mode],
                returnValuePrefix: #"{"step":""#, completion: completions.record))
        }
        var id = ""
        try await QueueTestSupport.withRunningWorker(worker) {
            id = try await queue.add(name: "retry", data: nil, options: JobOptions(attempts: 2))
            try await QueueTestSupport.expectEventually(within: 30) { try await queue.getState(id) == .completed }
        }
        let job = try #require(try await queue.getJob(id))
        #expect(job.returnValue == ["step": "attempt-2"])
        #expect(job.attemptsMade == 2)
        #expect(job.stalledCount == 0)
        #expect(job.stacktrace.count == 1 && job.stacktrace.first?.contains("step refused") == true)
        #expect(try await client.send(["GET", key]).string == "attempt-2")
        let all = completions.all
        #expect(all.count == 2)
        if all.count == 2 {
            if case .failure(let error) = all[0] { #expect(error is FinishStepRejected) } else { Issue.record("first: \(all[0])") }
            if case .success(let reply) = all[1] {
                #expect(reply.array?.compactMap(\.string) == ["ok", "attempt-2"])
            } else {
                Issue.record("second: \(all[1])")
            }
        }
        _ = try await client.send(["DEL", key])
        await client.close()
    }

    @Test("20 jobs on 4 slots: each job's step runs and its job completes exactly once")
    func concurrentStepsRunOnce() async throws {
        let client = try TestRedis.client()
        let name = QueueTestSupport.uniqueQueueName("stepmany")
        let queue = try Queue(name: name, client: client)
        let key = TestRedis.uniqueKey("finish-step-counter")
        let total = 20
        let completions = Completions()
        let processed = PthreadMutex<[String: Int]>([:])
        let worker = try Self.worker(name, client: client, concurrency: 4) { job in
            processed.withLock { $0[job.id, default: 0] += 1 }
            // Let the slots interleave.
            try await Task.sleep(for: .milliseconds(Int.random(in: 0...5)))
            return .finishing(FinishStep(
                script: Self.countStep, keys: [key], arguments: [], returnValuePrefix: #"{"n":"#,
                completion: completions.record))
        }
        var ids: [String] = []
        try await QueueTestSupport.withRunningWorker(worker) {
            ids = try await queue.addBulk((0..<total).map { JobDescription(name: "count", data: ["i": .int($0)]) })
            try await QueueTestSupport.expectEventually(within: 15) { try await queue.getJobCounts().completed == total }
        }
        #expect(try await client.send(["GET", key]).int == total)
        let counts = try await queue.getJobCounts()
        #expect(counts.completed == total && counts.failed == 0 && counts.active == 0 && counts.waiting == 0)
        #expect(processed.withLock { $0 }.count == total)
        #expect(processed.withLock { $0 }.values.allSatisfy { $0 == 1 })
        // Every step's increment is one job's return value: 1…20, each once.
        var values: [Int] = []
        for id in ids {
            let job = try #require(try await queue.getJob(id))
            #expect(job.attemptsMade == 1)
            if let n = job.returnValue?["n"]?.intValue { values.append(n) } else { Issue.record("job \(id): \(job.returnValueText ?? "nil")") }
        }
        #expect(values.sorted() == Array(1...total))
        #expect(completions.failures.isEmpty)
        #expect(completions.successes.compactMap { $0.array?.first?.int }.sorted() == Array(1...total))
        _ = try await client.send(["DEL", key])
        await client.close()
    }

    @Test("a step whose Lua fails after a write is not reported as a refusal")
    func stepFailingAfterWriteIsNoRefusal() async throws {
        let client = try TestRedis.client()
        let name = QueueTestSupport.uniqueQueueName("stepfail")
        let queue = try Queue(name: name, client: client)
        let key = TestRedis.uniqueKey("finish-step")
        let completions = Completions()
        let runs = PthreadMutex(0)
        // Short timings: the finishing call is retried for one lock duration, the lock then lapses and
        // the stalled sweep requeues the job; its second stall (> maxStalledCount) fails it.
        // (A 1.5 s lock: the retried call must meet its own error before the lock lapses, also on a
        // loaded machine.)
        let options = WorkerOptions(
            concurrency: 1, lockDuration: 1500, stalledInterval: 300, maxStalledCount: 1, drainDelay: 0.2)
        // (The worker logs giving up on each run's finishing call as an error, which is expected here.)
        var logger = QueueTestSupport.quietLogger
        logger.logLevel = .critical
        let worker = try Worker(
            queueName: name, client: client, options: options, logger: logger,
            stepProcessor: Worker.StepProcessor { _ in
                runs.withLock { $0 += 1 }
                return .finishing(FinishStep(
                    script: Self.failAfterWriteStep, keys: [key], arguments: [], returnValuePrefix: #"{"n":"#,
                    completion: completions.record))
            })
        var id = ""
        try await QueueTestSupport.withRunningWorker(worker) {
            id = try await queue.add(name: "failing", data: nil, options: JobOptions(attempts: 1))
            try await QueueTestSupport.expectEventually(within: 40) { try await queue.getState(id) == .failed }
        }
        let job = try #require(try await queue.getJob(id))
        // Failed by the stalled sweep's deferred failure, never with the step's error.
        #expect(job.failedReason == "job stalled more than allowable limit", "failedReason: \(job.failedReason ?? "nil")")
        #expect(job.failedReason?.contains("not an integer") != true)
        #expect(!job.stacktrace.contains { $0.contains("not an integer") }, "stacktrace: \(job.stacktrace)")
        #expect(job.returnValueText == nil)
        #expect(job.stalledCount == 2)
        // Each run's step went as far as its write (a script error does not undo it).
        #expect(try await client.send(["GET", key]).string == "x")
        // Processed again after the first stall; the second stall failed it without running.
        let processed = runs.withLock { $0 }
        #expect(processed >= 2, "processed \(processed) times")
        let events = try await QueueTestSupport.events(client, queue: name).filter { $0["jobId"] == id }
        #expect(events.filter { $0["event"] == "stalled" }.count == 2)
        #expect(events.filter { $0["event"] == "failed" }.map { $0["failedReason"] } == ["job stalled more than allowable limit"])
        // Every run's completion got the error that stopped it, and none of them a refusal.
        let all = completions.all
        #expect(all.count == processed)
        #expect(completions.successes.isEmpty)
        for failure in completions.failures {
            #expect(!(failure is FinishStepRejected), "completion failed with a refusal: \(failure)")
        }
        // (The retried call's own error, once the lock could lapse.)
        #expect(completions.failures.contains { "\($0)".contains("not an integer") }, "\(completions.failures)")
        _ = try await client.send(["DEL", key])
        await client.close()
    }
}

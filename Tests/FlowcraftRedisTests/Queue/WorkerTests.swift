import Flowcraft
import FlowcraftModel
@testable import FlowcraftRedis
import Synchronization
import Testing

private struct Boom: Error, CustomStringConvertible {
    var description: String { "boom" }
}

@Suite("Worker", .requiresRedis)
struct WorkerTests {
    @Test("processes jobs and stores their return values")
    func completesJobs() async throws {
        let client = try TestRedis.client()
        let name = QueueTestSupport.uniqueQueueName("done")
        let queue = try Queue(name: name, client: client)
        let worker = try Worker(queueName: name, client: client, options: QueueTestSupport.fastOptions(concurrency: 4),
                                logger: QueueTestSupport.quietLogger) { job in
            ["twice": .int((job.data["i"]?.intValue ?? 0) * 2)]
        }
        try await QueueTestSupport.withRunningWorker(worker) {
            let ids = try await queue.addBulk((0..<20).map { JobDescription(name: "double", data: ["i": .int($0)]) })
            try await QueueTestSupport.expectEventually { try await queue.getJobCounts().completed == 20 }
            let job = try #require(try await queue.getJob(ids[7]))
            #expect(job.returnValue == ["twice": 14])
            #expect(job.attemptsMade == 1)
            #expect(job.attemptsStarted == 1)
            #expect(job.finishedOn != nil && job.processedOn != nil)
            #expect(try await queue.getState(ids[7]) == .completed)
            let events = try await QueueTestSupport.eventNames(client, queue: name, jobId: ids[7])
            #expect(events == ["added", "waiting", "active", "completed"])
        }
        let counts = try await queue.getJobCounts()
        #expect(counts.active == 0 && counts.waiting == 0)
        await client.close()
    }

    @Test("a throwing job is retried with exponential backoff, then fails with every attempt recorded")
    func retriesThenFails() async throws {
        let client = try TestRedis.client()
        let name = QueueTestSupport.uniqueQueueName("retry")
        let queue = try Queue(name: name, client: client)
        let calls = Atomic<Int>(0)
        let worker = try Worker(queueName: name, client: client, options: QueueTestSupport.fastOptions(),
                                logger: QueueTestSupport.quietLogger) { _ in
            calls.add(1, ordering: .relaxed)
            throw Boom()
        }
        try await QueueTestSupport.withRunningWorker(worker) {
            let id = try await queue.add(name: "flaky", data: nil, options: JobOptions(attempts: 3, backoff: Backoff(.exponential, delay: 50)))
            try await QueueTestSupport.expectEventually { try await queue.getState(id) == .failed }
            let job = try #require(try await queue.getJob(id))
            #expect(job.attemptsMade == 3)
            #expect(job.attemptsStarted == 3)
            #expect(job.failedReason == "boom")
            #expect(job.stacktrace.count == 3)
            let events = try await QueueTestSupport.eventNames(client, queue: name, jobId: id)
            #expect(events == [
                "added", "waiting", "active", "delayed", "waiting", "active", "delayed", "waiting", "active",
                "failed", "retries-exhausted",
            ])
        }
        #expect(calls.load(ordering: .relaxed) == 3)
        await client.close()
    }

    @Test("invalid JSON data and UnrecoverableJobError fail only that job; the worker keeps going")
    func badJobsFailAlone() async throws {
        let client = try TestRedis.client()
        let name = QueueTestSupport.uniqueQueueName("bad")
        let queue = try Queue(name: name, client: client)
        let worker = try Worker(queueName: name, client: client, options: QueueTestSupport.fastOptions(),
                                logger: QueueTestSupport.quietLogger) { job in
            if job.name == "fatal" { throw UnrecoverableJobError("cannot ever work") }
            return "ok"
        }
        try await QueueTestSupport.withRunningWorker(worker) {
            let broken = try await queue.add(name: "broken", data: nil)
            // Corrupt the stored data the way a foreign producer might.
            _ = try await client.send(["HSET", "bull:\(name):\(broken)", "data", "{not json"])
            let fatal = try await queue.add(name: "fatal", data: nil, options: JobOptions(attempts: 5))
            let good = try await queue.add(name: "good", data: nil)
            try await QueueTestSupport.expectEventually { try await queue.getState(good) == .completed }
            try await QueueTestSupport.expectEventually { try await queue.getState(fatal) == .failed }
            let brokenJob = try #require(try await queue.getJob(broken))
            #expect(brokenJob.failedReason?.hasPrefix("job data is not valid JSON") == true)
            let fatalJob = try #require(try await queue.getJob(fatal))
            #expect(fatalJob.failedReason == "cannot ever work")
            #expect(fatalJob.attemptsMade == 1)
        }
        await client.close()
    }

    @Test("a job hash without name or data fails; the job its failing call fetched is processed, not dropped")
    func malformedJobKeepsTheFetchedNextJob() async throws {
        let client = try TestRedis.client()
        let name = QueueTestSupport.uniqueQueueName("malformed")
        let queue = try Queue(name: name, client: client)
        let bad = "malformed"
        // A job id whose hash lacks `name` and `data`, queued before a normal job.
        _ = try await client.send(["HSET", "bull:\(name):\(bad)", "foo", "bar"])
        _ = try await client.send(["LPUSH", "bull:\(name):wait", bad])
        _ = try await client.send(["ZADD", "bull:\(name):marker", "0", "0"])
        let good = try await queue.add(name: "good", data: ["n": 1])
        // Both LPUSHed: RPOPLPUSH takes the right end first, so the worker's first fetch takes the
        // malformed job and the call that fails it fetches the good one.
        #expect(try await client.send(["LRANGE", "bull:\(name):wait", "0", "-1"]).array?.compactMap(\.string) == [good, bad])
        let processed = PthreadMutex<[String]>([])
        let worker = try Worker(queueName: name, client: client, options: QueueTestSupport.fastOptions(concurrency: 1),
                                logger: QueueTestSupport.quietLogger) { job in
            processed.withLock { $0.append(job.id) }
            return "ok"
        }
        try await QueueTestSupport.withRunningWorker(worker) {
            try await QueueTestSupport.expectEventually(within: 10) {
                let (badState, goodState) = (try await queue.getState(bad), try await queue.getState(good))
                return badState == .failed && goodState == .completed
            }
        }
        #expect(try await queue.getState(bad) == .failed)
        #expect(try await queue.getState(good) == .completed)
        let reason = try await client.send(["HGET", "bull:\(name):\(bad)", "failedReason"]).string
        #expect(reason?.contains("lacks its name or data") == true, "failedReason: \(reason ?? "nil")")
        // Only the good job reached the processor, once.
        #expect(processed.withLock { $0 } == [good])
        let job = try #require(try await queue.getJob(good))
        #expect(job.returnValue == "ok")
        #expect(job.attemptsStarted == 1 && job.attemptsMade == 1)
        let counts = try await queue.getJobCounts()
        #expect(counts.active == 0 && counts.waiting == 0 && counts.completed == 1 && counts.failed == 1)
        // The order of the fetches: the malformed job first; the good one fetched by the call that failed
        // it (the same call's time is the malformed job's `finishedOn` and the good one's `processedOn`).
        let events = try await QueueTestSupport.events(client, queue: name)
        let activations = events.filter { $0["event"] == "active" }.compactMap { $0["jobId"] }
        #expect(activations == [bad, good])
        let failedAt = try #require(events.firstIndex { $0["event"] == "failed" && $0["jobId"] == bad })
        let goodActiveAt = try #require(events.firstIndex { $0["event"] == "active" && $0["jobId"] == good })
        #expect(failedAt < goodActiveAt)
        #expect(events[failedAt..<goodActiveAt].allSatisfy { $0["jobId"] == bad })
        let finishedOn = try await client.send(["HGET", "bull:\(name):\(bad)", "finishedOn"]).string
        #expect(finishedOn != nil && finishedOn == job.processedOn.map { String($0) })
        await client.close()
    }

    @Test("delayed jobs run once due; prioritized jobs run by priority after plain ones")
    func delayedAndPriority() async throws {
        let client = try TestRedis.client()
        let name = QueueTestSupport.uniqueQueueName("order")
        let queue = try Queue(name: name, client: client)
        let order = PthreadMutex<[String]>([])
        let delayed = try await queue.add(name: "delayed", data: nil, options: JobOptions(delay: 1000))
        try await queue.add(name: "p5", data: nil, options: JobOptions(priority: 5))
        try await queue.add(name: "p1", data: nil, options: JobOptions(priority: 1))
        try await queue.add(name: "plain", data: nil)
        let worker = try Worker(queueName: name, client: client, options: QueueTestSupport.fastOptions(),
                                logger: QueueTestSupport.quietLogger) { job in
            order.withLock { $0.append(job.name) }
            return nil
        }
        try await QueueTestSupport.withRunningWorker(worker) {
            try await QueueTestSupport.expectEventually { try await queue.getJobCounts().completed == 4 }
        }
        // Under load the delay may lapse before the worker starts, so check the ready jobs' order and
        // that the delayed job did not run before it was due.
        #expect(order.withLock { $0 }.filter { $0 != "delayed" } == ["plain", "p1", "p5"])
        let job = try #require(try await queue.getJob(delayed))
        #expect((job.processedOn ?? 0) >= job.timestamp + 1000)
        await client.close()
    }

    @Test("removeOnComplete keeps only the newest N; true removes at once")
    func retention() async throws {
        let client = try TestRedis.client()
        let name = QueueTestSupport.uniqueQueueName("keep")
        let queue = try Queue(name: name, client: client)
        let worker = try Worker(queueName: name, client: client, options: QueueTestSupport.fastOptions(),
                                logger: QueueTestSupport.quietLogger) { _ in nil }
        let kept = try await queue.addBulk((0..<5).map { _ in JobDescription(name: "k", data: nil, options: JobOptions(removeOnComplete: .keepCount(2))) })
        let gone = try await queue.add(name: "g", data: nil, options: JobOptions(removeOnComplete: .removeImmediately))
        try await QueueTestSupport.withRunningWorker(worker) {
            try await QueueTestSupport.expectEventually {
                let counts = try await queue.getJobCounts()
                return counts.waiting == 0 && counts.active == 0
            }
        }
        #expect(try await queue.getJob(gone) == nil)
        #expect(try await queue.getJobCounts().completed == 2)
        #expect(try await queue.getJob(kept[0]) == nil)
        #expect(try await queue.getJob(kept[4]) != nil)
        await client.close()
    }

    @Test("the worker's removeOnComplete applies to jobs that do not set their own")
    func workerRetentionDefault() async throws {
        let client = try TestRedis.client()
        let name = QueueTestSupport.uniqueQueueName("wkeep")
        let queue = try Queue(name: name, client: client)
        var options = QueueTestSupport.fastOptions()
        options.removeOnComplete = .removeImmediately
        let worker = try Worker(queueName: name, client: client, options: options,
                                logger: QueueTestSupport.quietLogger) { _ in nil }
        let plain = try await queue.add(name: "plain", data: nil)
        let own = try await queue.add(name: "own", data: nil, options: JobOptions(removeOnComplete: .keepCount(5)))
        try await QueueTestSupport.withRunningWorker(worker) {
            try await QueueTestSupport.expectEventually { try await queue.getState(own) == .completed }
            try await QueueTestSupport.expectEventually { try await queue.getJob(plain) == nil }
        }
        #expect(try await queue.getJobCounts().completed == 1)
        await client.close()
    }

    @Test("removeOnFail by age drops failed jobs older than the age when the next job fails")
    func retentionByAge() async throws {
        let client = try TestRedis.client()
        let name = QueueTestSupport.uniqueQueueName("age")
        let queue = try Queue(name: name, client: client)
        let worker = try Worker(queueName: name, client: client, options: QueueTestSupport.fastOptions(),
                                logger: QueueTestSupport.quietLogger) { _ in throw UnrecoverableJobError("no") }
        let options = JobOptions(removeOnFail: .keep(age: 1, count: nil))
        try await QueueTestSupport.withRunningWorker(worker) {
            let old = try await queue.add(name: "old", data: nil, options: options)
            try await QueueTestSupport.expectEventually { try await queue.getState(old) == .failed }
            // Let the first job age past one second, then fail another.
            try await Task.sleep(for: .milliseconds(1100))
            let new = try await queue.add(name: "new", data: nil, options: options)
            try await QueueTestSupport.expectEventually { try await queue.getState(new) == .failed }
            #expect(try await queue.getJob(old) == nil)
            #expect(try await queue.getJobCounts().failed == 1)
        }
        await client.close()
    }

    @Test("a job left by a dead worker is recovered as stalled and completed by another")
    func stalledRecovery() async throws {
        let client = try TestRedis.client()
        let name = QueueTestSupport.uniqueQueueName("stall")
        let queue = try Queue(name: name, client: client)
        let started = AsyncStream<Void>.makeStream()
        let doomed = try Worker(queueName: name, client: client, options: QueueTestSupport.stallingOptions(name: "doomed", lockDuration: 3000),
                                logger: QueueTestSupport.quietLogger) { _ in
            started.continuation.yield()
            try await Task.sleep(for: .seconds(60))
            return "never"
        }
        let running = Task { try await doomed.run() }
        let id = try await queue.add(name: "slow", data: nil)
        for await _ in started.stream { break }
        // Abandon the job: its lock is neither renewed nor released.
        await doomed.close(force: true)
        _ = try? await running.value
        #expect(try await queue.getState(id) == .active)

        let rescuer = try Worker(queueName: name, client: client, options: QueueTestSupport.stallingOptions(name: "rescuer"),
                                 logger: QueueTestSupport.quietLogger) { _ in "rescued" }
        try await QueueTestSupport.withRunningWorker(rescuer) {
            try await QueueTestSupport.expectEventually { try await queue.getState(id) == .completed }
        }
        let job = try #require(try await queue.getJob(id))
        #expect(job.returnValue == "rescued")
        #expect(job.stalledCount == 1)
        #expect(job.processedBy == "rescuer")
        let events = try await QueueTestSupport.eventNames(client, queue: name, jobId: id)
        #expect(events.contains("stalled"))
        await client.close()
    }

    @Test("a job that stalled more than maxStalledCount fails at once without running")
    func deferredFailure() async throws {
        let client = try TestRedis.client()
        let name = QueueTestSupport.uniqueQueueName("defa")
        let queue = try Queue(name: name, client: client)
        let id = try await queue.add(name: "x", data: nil)
        _ = try await client.send(["HSET", "bull:\(name):\(id)", "defa", "job stalled more than allowable limit"])
        let ran = Atomic<Bool>(false)
        let worker = try Worker(queueName: name, client: client, options: QueueTestSupport.fastOptions(),
                                logger: QueueTestSupport.quietLogger) { _ in
            ran.store(true, ordering: .relaxed)
            return nil
        }
        try await QueueTestSupport.withRunningWorker(worker) {
            try await QueueTestSupport.expectEventually { try await queue.getState(id) == .failed }
        }
        #expect(ran.load(ordering: .relaxed) == false)
        #expect(try await queue.getJob(id)?.failedReason == "job stalled more than allowable limit")
        #expect(try await queue.getJob(id)?.deferredFailure == nil)
        await client.close()
    }

    @Test("locks of long jobs are renewed, so they are not mistaken for stalled")
    func lockRenewal() async throws {
        let client = try TestRedis.client()
        let name = QueueTestSupport.uniqueQueueName("renew")
        let queue = try Queue(name: name, client: client)
        let runs = Atomic<Int>(0)
        var options = QueueTestSupport.fastOptions(concurrency: 2)
        // (A 2 s lock renewed every second: a renewal may come a second late on a loaded machine.)
        options.lockDuration = 2000
        options.stalledInterval = 200
        let worker = try Worker(queueName: name, client: client, options: options,
                                logger: QueueTestSupport.quietLogger) { _ in
            runs.add(1, ordering: .relaxed)
            // Several lock lifetimes and stalled sweeps long.
            try await Task.sleep(for: .milliseconds(5000))
            return "done"
        }
        try await QueueTestSupport.withRunningWorker(worker) {
            let ids = try await queue.addBulk([JobDescription(name: "long", data: nil), JobDescription(name: "long", data: nil)])
            try await QueueTestSupport.expectEventually { try await queue.getJobCounts().completed == 2 }
            for id in ids {
                #expect(try await queue.getJob(id)?.stalledCount == 0)
            }
        }
        #expect(runs.load(ordering: .relaxed) == 2)
        await client.close()
    }

    @Test("a paused queue is not processed until resumed")
    func pausedQueue() async throws {
        let client = try TestRedis.client()
        let name = QueueTestSupport.uniqueQueueName("paused")
        let queue = try Queue(name: name, client: client)
        try await queue.pause()
        let worker = try Worker(queueName: name, client: client, options: QueueTestSupport.fastOptions(),
                                logger: QueueTestSupport.quietLogger) { _ in nil }
        try await QueueTestSupport.withRunningWorker(worker) {
            let id = try await queue.add(name: "x", data: nil)
            // Several idle polls (drainDelay 0.2 s) pass without the job being taken.
            try await Task.sleep(for: .milliseconds(600))
            #expect(try await queue.getState(id) == .waiting)
            try await queue.resume()
            try await QueueTestSupport.expectEventually { try await queue.getState(id) == .completed }
        }
        await client.close()
    }

    @Test("cancelling the task running the worker stops it, even while idle")
    func cancellationStops() async throws {
        let client = try TestRedis.client()
        let name = QueueTestSupport.uniqueQueueName("cancel")
        let worker = try Worker(queueName: name, client: client, options: QueueTestSupport.fastOptions(concurrency: 3),
                                logger: QueueTestSupport.quietLogger) { _ in nil }
        let running = Task { try await worker.run() }
        try await Task.sleep(for: .milliseconds(100))
        running.cancel()
        try await running.value
        await worker.close()
        await client.close()
    }

    @Test("graceful close finishes the job in progress")
    func gracefulClose() async throws {
        let client = try TestRedis.client()
        let name = QueueTestSupport.uniqueQueueName("close")
        let queue = try Queue(name: name, client: client)
        let started = AsyncStream<Void>.makeStream()
        let worker = try Worker(queueName: name, client: client, options: QueueTestSupport.fastOptions(),
                                logger: QueueTestSupport.quietLogger) { _ in
            started.continuation.yield()
            try await Task.sleep(for: .milliseconds(200))
            return "finished"
        }
        let running = Task { try await worker.run() }
        let id = try await queue.add(name: "x", data: nil)
        try await queue.add(name: "y", data: nil)
        for await _ in started.stream { break }
        await worker.close()
        try await running.value
        #expect(try await queue.getState(id) == .completed)
        let counts = try await queue.getJobCounts()
        #expect(counts.waiting == 1 && counts.active == 0)
        await client.close()
    }

    @Test("10 000 jobs through 4 workers are each completed exactly once")
    func exactlyOnce() async throws {
        let client = try TestRedis.client(poolSize: 2)
        let name = QueueTestSupport.uniqueQueueName("once")
        let queue = try Queue(name: name, client: client)
        let total = 10_000
        let seen = PthreadMutex<[Int]>(Array(repeating: 0, count: total))
        var offset = 0
        while offset < total {
            try await queue.addBulk((offset..<min(total, offset + 2000)).map { JobDescription(name: "n", data: ["i": .int($0)]) })
            offset += 2000
        }
        let workers = try (0..<4).map { index in
            try Worker(queueName: name, client: client, options: QueueTestSupport.fastOptions(concurrency: 8, name: "w\(index)"),
                       logger: QueueTestSupport.quietLogger) { job in
                if let i = job.data["i"]?.intValue { seen.withLock { $0[i] += 1 } }
                return nil
            }
        }
        let tasks = workers.map { worker in Task { try await worker.run() } }
        try await QueueTestSupport.expectEventually(within: 60) { try await queue.getJobCounts().completed == total }
        for worker in workers { await worker.close() }
        for task in tasks { try await task.value }
        let counts = seen.withLock { $0 }
        #expect(counts.allSatisfy { $0 == 1 })
        let jobCounts = try await queue.getJobCounts()
        #expect(jobCounts.completed == total && jobCounts.failed == 0 && jobCounts.active == 0)
        await client.close()
    }
}

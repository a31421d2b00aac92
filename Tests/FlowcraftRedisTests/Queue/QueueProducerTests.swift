import FlowcraftModel
@testable import FlowcraftRedis
import Testing

@Suite("Queue producer", .requiresRedis)
struct QueueProducerTests {
    @Test("add writes BullMQ's job hash and a waiting job")
    func addWritesHash() async throws {
        let client = try TestRedis.client()
        let queue = try Queue(name: QueueTestSupport.uniqueQueueName("add"), client: client)
        let id = try await queue.add(name: "greet", data: ["who": "world"], options: JobOptions(attempts: 3, backoff: Backoff(.exponential, delay: 100)))
        #expect(id == "1")
        let job = try #require(try await queue.getJob(id))
        #expect(job.name == "greet")
        #expect(job.data == ["who": "world"])
        #expect(job.options.attempts == 3)
        #expect(job.options.backoff == Backoff(.exponential, delay: 100))
        #expect(job.timestamp > 0)
        #expect(job.attemptsMade == 0)
        #expect(try await queue.getState(id) == .waiting)
        let counts = try await queue.getJobCounts()
        #expect(counts.waiting == 1)
        let events = try await QueueTestSupport.eventNames(client, queue: queue.name, jobId: id)
        #expect(events == ["added", "waiting"])
        let marker = try await client.send(["ZSCORE", "bull:\(queue.name):marker", "0"])
        #expect(marker.int == 0)
        await client.close()
    }

    @Test("a custom id added twice is one job; the first data wins and `duplicated` is emitted")
    func customIdDeduplicates() async throws {
        let client = try TestRedis.client()
        let queue = try Queue(name: QueueTestSupport.uniqueQueueName("dup"), client: client)
        let first = try await queue.add(name: "a", data: ["n": 1], options: JobOptions(jobId: "order-7"))
        let second = try await queue.add(name: "a", data: ["n": 2], options: JobOptions(jobId: "order-7"))
        #expect(first == "order-7")
        #expect(second == "order-7")
        #expect(try await queue.getJob("order-7")?.data == ["n": 1])
        #expect(try await queue.getJobCounts().waiting == 1)
        let events = try await QueueTestSupport.eventNames(client, queue: queue.name, jobId: "order-7")
        #expect(events == ["added", "waiting", "duplicated"])
        await client.close()
    }

    @Test("invalid ids and options are rejected before anything is written")
    func rejectsInvalid() async throws {
        let client = try TestRedis.client()
        let queue = try Queue(name: QueueTestSupport.uniqueQueueName("bad"), client: client)
        await #expect(throws: QueueError.self) { try await queue.add(name: "a", data: nil, options: JobOptions(jobId: "a:b")) }
        await #expect(throws: QueueError.self) { try await queue.add(name: "a", data: nil, options: JobOptions(jobId: "42")) }
        await #expect(throws: QueueError.self) { try await queue.add(name: "a", data: nil, options: JobOptions(delay: -1)) }
        await #expect(throws: QueueError.self) { try await queue.add(name: "a", data: nil, options: JobOptions(priority: 3_000_000)) }
        #expect(throws: QueueError.self) { try Queue(name: "a:b", client: client) }
        #expect(try await queue.getJobCounts() == JobCounts())
        await client.close()
    }

    @Test("delayed and prioritized jobs land in their sets with BullMQ's scores")
    func delayedAndPrioritized() async throws {
        let client = try TestRedis.client()
        let queue = try Queue(name: QueueTestSupport.uniqueQueueName("sets"), client: client)
        let before = QueueClock.nowMilliseconds()
        let delayed = try await queue.add(name: "later", data: nil, options: JobOptions(delay: 60_000))
        let urgent = try await queue.add(name: "urgent", data: nil, options: JobOptions(priority: 1))
        let relaxed = try await queue.add(name: "relaxed", data: nil, options: JobOptions(priority: 5))
        #expect(try await queue.getState(delayed) == .delayed)
        #expect(try await queue.getState(urgent) == .prioritized)
        let score = try #require(try await client.send(["ZSCORE", "bull:\(queue.name):delayed", delayed]).double)
        let due = Int(score) >> 12
        #expect(due >= before + 60_000 && due <= QueueClock.nowMilliseconds() + 60_000)
        let order = try await client.send(["ZRANGE", "bull:\(queue.name):prioritized", "0", "-1"]).array?.compactMap(\.string)
        #expect(order == [urgent, relaxed])
        let counts = try await queue.getJobCounts()
        #expect(counts.delayed == 1 && counts.prioritized == 2 && counts.waiting == 0)
        await client.close()
    }

    @Test("addBulk adds every job in order, lifo jobs go to the front")
    func addBulkAndLifo() async throws {
        let client = try TestRedis.client()
        let queue = try Queue(name: QueueTestSupport.uniqueQueueName("bulk"), client: client)
        let ids = try await queue.addBulk((0..<50).map { JobDescription(name: "n", data: ["i": .int($0)]) })
        #expect(ids == (1...50).map(String.init))
        let lifo = try await queue.add(name: "first", data: nil, options: JobOptions(lifo: true))
        // Workers take from the right end of `wait`.
        let next = try await client.send(["LINDEX", "bull:\(queue.name):wait", "-1"]).string
        #expect(next == lifo)
        #expect(try await queue.getJobCounts().waiting == 51)
        await client.close()
    }

    @Test("pause removes the marker and keeps adds in wait; resume restores it")
    func pauseAndResume() async throws {
        let client = try TestRedis.client()
        let queue = try Queue(name: QueueTestSupport.uniqueQueueName("pause"), client: client)
        try await queue.pause()
        #expect(try await queue.isPaused())
        try await queue.add(name: "x", data: nil)
        #expect(try await client.send(["EXISTS", "bull:\(queue.name):marker"]).int == 0)
        #expect(try await queue.getJobCounts().waiting == 1)
        try await queue.resume()
        #expect(try await queue.isPaused() == false)
        #expect(try await client.send(["ZSCORE", "bull:\(queue.name):marker", "0"]).int == 0)
        await client.close()
    }

    @Test("deduplication id returns the first job while it exists")
    func deduplication() async throws {
        let client = try TestRedis.client()
        let queue = try Queue(name: QueueTestSupport.uniqueQueueName("de"), client: client)
        let first = try await queue.add(name: "x", data: 1, options: JobOptions(deduplicationId: "k"))
        let second = try await queue.add(name: "x", data: 2, options: JobOptions(deduplicationId: "k"))
        #expect(first == second)
        #expect(try await queue.getJobCounts().waiting == 1)
        await client.close()
    }
}

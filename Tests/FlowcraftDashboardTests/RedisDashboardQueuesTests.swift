import Flowcraft
import FlowcraftRedis
import Foundation
import Testing

@testable import FlowcraftDashboard

/// The Queues page's Redis source: counts from the queue, throughput from its events stream, read
/// incrementally (a second look counts only what is new).
@Suite(.enabled(if: ProcessInfo.processInfo.environment["FLOWCRAFT_TEST_REDIS_URL"] != nil))
struct RedisDashboardQueuesTests {
    @Test func countsAndThroughputFromTheEventsStream() async throws {
        let redis = try RedisClient(url: try #require(ProcessInfo.processInfo.environment["FLOWCRAFT_TEST_REDIS_URL"]))
        let name = "dashboard-queues-\(UUID().uuidString.prefix(8))"
        let queue = try Queue(name: name, client: redis)
        _ = try await queue.add(name: "job", data: ["n": 1])
        let events = "bull:\(name):events"
        for event in ["completed", "completed", "failed", "waiting"] {
            _ = try await redis.send(["XADD", events, "*", "event", event, "jobId", "1"])
        }
        let source = RedisDashboardQueues(client: redis, queueNames: [name])
        let first = try await source.snapshot(of: name)
        #expect(first.waiting == 1)
        #expect(first.workers.isEmpty)
        #expect(first.throughput.count == QueueThroughput.bucketCount)
        #expect(first.throughput.reduce(0) { $0 + $1.completed } == 2)
        #expect(first.throughput.reduce(0) { $0 + $1.failed } == 1)
        _ = try await redis.send(["XADD", events, "*", "event", "completed", "jobId", "2"])
        let second = try await source.snapshot(of: name)
        #expect(second.throughput.reduce(0) { $0 + $1.completed } == 3)
        #expect(second.throughput.reduce(0) { $0 + $1.failed } == 1)
        _ = try await redis.send(["DEL", events, "bull:\(name):wait", "bull:\(name):id", "bull:\(name):1", "bull:\(name):meta"])
        await redis.close()
    }

    @Test func snapshotsAskedTogetherCountEachEntryOnce() async throws {
        let redis = try RedisClient(url: try #require(ProcessInfo.processInfo.environment["FLOWCRAFT_TEST_REDIS_URL"]), poolSize: 4)
        let name = "dashboard-throughput-\(UUID().uuidString.prefix(8))"
        let events = "bull:\(name):events"
        // Enough entries for several XRANGE pages: each page is an await the actor was re-entered at.
        for chunk in 0..<5 {
            var commands: [RedisCommand] = []
            for i in 0..<500 { commands.append(RedisCommand(["XADD", events, "*", "event", "completed", "jobId", "\(chunk * 500 + i)"])) }
            _ = try await redis.pipeline(commands)
        }
        let source = RedisDashboardQueues(client: redis, queueNames: [name])
        // Found by review: eight requests at once counted 15 614 of 2 006 entries.
        let totals = try await withThrowingTaskGroup(of: Int.self) { group in
            for _ in 0..<8 {
                group.addTask { try await source.snapshot(of: name).throughput.reduce(0) { $0 + $1.completed } }
            }
            return try await group.reduce(into: [Int]()) { $0.append($1) }
        }
        #expect(totals == Array(repeating: 2_500, count: 8), "\(totals)")
        #expect(try await source.snapshot(of: name).throughput.reduce(0) { $0 + $1.completed } == 2_500)
        _ = try await redis.send(["DEL", events])
        await redis.close()
    }
}

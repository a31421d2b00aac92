@testable import FlowcraftRedis
import Testing

@Suite("Auto-pipelining", .requiresRedis)
struct AutoPipeliningTests {
    @Test func commandsQueuedDuringARoundTripShareTheNextOne() async throws {
        var configuration = try TestRedis.configuration()
        let name = "autopipe-\(UInt32.random(in: 0...UInt32.max))"
        configuration.clientName = name
        let connection = try await RedisConnection.connect(configuration)
        let observer = try await TestRedis.connection()
        let key = TestRedis.uniqueKey()
        let before = connection.statistics

        // Hold the connection in a BLPOP, so that the next 100 commands queue up behind it.
        let gate = Task { try await connection.send(RedisCommand(["BLPOP", key + ":gate", "10"]), timeout: TestTiming.seconds(20)) }
        try await TestRedis.waitUntilBlocked(clientName: name, command: "blpop", observer: observer)
        let callers = Task {
            try await withThrowingTaskGroup(of: RedisReply.self) { group in
                for index in 1...100 {
                    group.addTask { try await connection.send(["INCRBY", key, String(index)]) }
                }
                var replies: [RedisReply] = []
                for try await reply in group { replies.append(reply) }
                return replies
            }
        }
        var queued = false
        for _ in 0..<1000 where !queued {
            queued = connection.outstandingRequests == 101
            if !queued { try await Task.sleep(for: .milliseconds(5)) }
        }
        #expect(queued)
        _ = try await observer.send(["RPUSH", key + ":gate", "go"])
        #expect(try await gate.value.array?.last?.string == "go")

        let replies = try await callers.value
        // Every caller got its own reply: 100 distinct running totals ending at 1 + … + 100.
        let totals = replies.compactMap(\.int)
        #expect(Set(totals).count == 100)
        #expect(totals.max() == 5050)
        let after = connection.statistics
        #expect(after.commands - before.commands == 101)
        #expect(after.roundTrips - before.roundTrips == 2)
        #expect(after.connects == 1)

        _ = try await observer.send(["DEL", key, key + ":gate"])
        await connection.close()
        await observer.close()
    }
}

@testable import FlowcraftRedis
import Logging
import Testing

/// The pool's mechanics, without a server: its connections connect only on their first command.
@Suite("Redis connection pool")
struct RedisConnectionPoolTests {
    private static func pool(size: Int) throws -> RedisConnectionPool {
        // Nothing listens there, and nothing connects: no command is sent.
        RedisConnectionPool(
            size: size, configuration: try RedisConfiguration(url: "redis://127.0.0.1:1"),
            logger: Logger(label: "test.pool"))
    }

    @Test func holdsAtLeastOneConnection() async throws {
        let pool = try Self.pool(size: 0)
        #expect(pool.connections.count == 1)
        await pool.close()
        let three = try Self.pool(size: 3)
        #expect(three.connections.count == 3)
        await three.close()
    }

    @Test func anIdlePoolSendsOnItsFirstConnection() async throws {
        let pool = try Self.pool(size: 2)
        let chosen = try pool.connection()
        #expect(chosen === pool.connections[0])
        #expect(pool.statistics == RedisConnectionStatistics())
        await pool.close()
    }

    @Test func aClosedPoolRefusesCommands() async throws {
        let pool = try Self.pool(size: 2)
        #expect(!pool.isClosed)
        await pool.close()
        #expect(pool.isClosed)
        #expect(pool.connections.allSatisfy { $0.isClosed })
        #expect(throws: RedisError.self) { try pool.connection() }
        do throws(RedisError) {
            try pool.checkUsable()
            Issue.record("a closed pool must refuse")
        } catch {
            #expect(error.kind == .closed)
        }
        // Closing again is harmless.
        await pool.close()
    }
}

import Foundation
import FlowcraftRedis
import Testing

/// A `READONLY` reply means the server was demoted to a replica (a failover): the request fails as
/// a transient connection error — nothing was written, so it is safe to retry — and the connection
/// is dropped so that the next command reconnects (through the sentinels, to the new master).
@Suite("READONLY replies reconnect", .requiresRedisServerBinary)
struct RedisReadOnlyReplyTests {
    @Test func readOnlyReplyIsATransientErrorAndReconnects() async throws {
        try await PrivateRedisServer.with { master in
            try await PrivateRedisServer.with(arguments: ["--replicaof", "127.0.0.1", String(master.port)]) { replica in
                let connection = try await RedisConnection.connect(replica.configuration())
                #expect(connection.statistics.connects == 1)
                await #expect {
                    _ = try await connection.send(["SET", "key", "value"])
                } throws: { error in
                    guard let error = error as? RedisError else { return false }
                    return error.isTransient && error.command == "SET"
                        && error.message.contains("no longer the master (READONLY")
                }
                // Reads still work, on a new connection.
                #expect(try await connection.send(["PING"]).string == "PONG")
                #expect(connection.statistics.connects == 2)
                await connection.close()
            }
        }
    }
}

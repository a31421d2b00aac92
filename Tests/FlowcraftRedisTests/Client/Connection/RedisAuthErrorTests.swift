import Foundation
import FlowcraftRedis
import Testing

/// Authentication failures are reported as Redis reports them (`WRONGPASS`, `NOAUTH`), not as the
/// "Protocol error: unauthenticated bulk length" or reset connection that follows when large
/// commands (preloaded scripts) reach a server that has not accepted the password.
@Suite("Redis authentication errors", .requiresRedisServerBinary)
struct RedisAuthErrorTests {
    /// Two scripts larger than the 16 KiB Redis accepts from an unauthenticated client.
    static let bigScripts = (0..<2).map { index in
        RedisScript(name: "big\(index)", source: "return \(index) -- " + String(repeating: "x", count: 20_000))
    }

    @Test func wrongPasswordWithPreloadedScriptsSaysWRONGPASS() async throws {
        try await PrivateRedisServer.with(arguments: ["--requirepass", "right"]) { server in
            let client = RedisClient(configuration: server.configuration(password: "wrong"), poolSize: 1)
            await #expect {
                try await client.preload(Self.bigScripts)
            } throws: { error in
                guard let error = error as? RedisError else { return false }
                return error.kind == .server && error.command == "AUTH" && error.message.hasPrefix("WRONGPASS")
                    && !error.message.contains("unauthenticated")
            }
            // Later commands keep saying so (each reconnect tries again).
            await #expect {
                _ = try await client.send(["PING"])
            } throws: { error in
                (error as? RedisError)?.message.hasPrefix("WRONGPASS") == true
            }
            await client.close()

            // The right password works, scripts included.
            let good = RedisClient(configuration: server.configuration(password: "right"), poolSize: 1)
            try await good.preload(Self.bigScripts)
            #expect(try await good.send(["PING"]).string == "PONG")
            await good.close()
        }
    }

    @Test func missingPasswordWithPreloadedScriptsSaysNOAUTH() async throws {
        try await PrivateRedisServer.with(arguments: ["--requirepass", "right"]) { server in
            let client = RedisClient(configuration: server.configuration(), poolSize: 1)
            await #expect {
                try await client.preload(Self.bigScripts)
            } throws: { error in
                guard let error = error as? RedisError else { return false }
                return error.message.hasPrefix("NOAUTH") && error.message.contains("requires a password")
            }
            await client.close()
        }
    }
}

import Foundation
import FlowcraftRedis
import Testing

/// Access to the Redis the test command provides (`FLOWCRAFT_TEST_REDIS_URL`).
///
/// Tests that need it carry the ``Testing/Trait/requiresRedis`` trait: without the variable they are
/// skipped locally, but on CI (`CI=true`) they run and fail with a recorded issue, so a missing Redis
/// can never make CI green by skipping.
enum TestRedis {
    static let url: String? = ProcessInfo.processInfo.environment["FLOWCRAFT_TEST_REDIS_URL"].flatMap { $0.isEmpty ? nil : $0 }
    static let isCI: Bool = ProcessInfo.processInfo.environment["CI"] == "true"

    /// Whether Redis-backed tests should run (a URL is set, or we are on CI where its absence is a failure).
    static let isEnabled: Bool = url != nil || isCI

    /// The configuration for the shared test Redis; records an issue and throws when it is missing.
    static func configuration() throws -> RedisConfiguration {
        guard let url else {
            Issue.record("FLOWCRAFT_TEST_REDIS_URL is not set: CI must provide a Redis (scripts/test.sh starts one)")
            throw TestRedisUnavailable()
        }
        return try RedisConfiguration(url: url)
    }

    /// A connection to the shared test Redis.
    static func connection() async throws -> RedisConnection {
        try await RedisConnection.connect(configuration())
    }

    /// A pooled client for the shared test Redis.
    static func client(poolSize: Int = 2) throws -> RedisClient {
        RedisClient(configuration: try configuration(), poolSize: poolSize)
    }

    /// Runs `body` with a client of its own, closed afterwards (also when `body` throws).
    static func withClient<T>(_ body: (RedisClient) async throws -> T) async throws -> T {
        let client = try client()
        do {
            let value = try await body(client)
            await client.close()
            return value
        } catch {
            await client.close()
            throw error
        }
    }

    /// Waits until a connection named `clientName` is executing `command` (per `CLIENT LIST`), i.e. a
    /// blocking command has reached the server. Polls; gives up after a few seconds.
    static func waitUntilBlocked(clientName: String, command: String, observer: RedisClient) async throws {
        try await waitUntilBlocked(clientName: clientName, command: command) { try await observer.send($0) }
    }

    /// ``waitUntilBlocked(clientName:command:observer:)`` observing through a single connection.
    static func waitUntilBlocked(clientName: String, command: String, observer: RedisConnection) async throws {
        try await waitUntilBlocked(clientName: clientName, command: command) { try await observer.send($0) }
    }

    private static func waitUntilBlocked(
        clientName: String, command: String, send: ([String]) async throws -> RedisReply
    ) async throws {
        for _ in 0..<500 {
            let clients = try await send(["CLIENT", "LIST"]).string ?? ""
            let blocked = clients.split(separator: "\n").contains { line in
                line.contains(" name=\(clientName) ") && line.contains(" cmd=\(command) ")
            }
            if blocked { return }
            try await Task.sleep(for: .milliseconds(10))
        }
        Issue.record("connection \(clientName) never started \(command)")
    }

    /// A key prefix unique to one test, so tests running in parallel on one Redis never collide.
    static func uniqueKey(_ name: String = "key") -> String {
        "flowcraft-test:\(name):\(UUID().uuidString)"
    }
}

/// Thrown (after recording an issue) when a test needs Redis and none is configured.
struct TestRedisUnavailable: Error, CustomStringConvertible {
    var description: String { "no test Redis configured (FLOWCRAFT_TEST_REDIS_URL)" }
}

extension Trait where Self == ConditionTrait {
    /// Runs the test only when a test Redis is configured — or always on CI, where a missing Redis fails it.
    static var requiresRedis: Self {
        .enabled(if: TestRedis.isEnabled, "needs FLOWCRAFT_TEST_REDIS_URL (a running Redis)")
    }

    /// Runs the test only when a `redis-server` binary can be spawned — or always on CI.
    static var requiresRedisServerBinary: Self {
        .enabled(if: PrivateRedisServer.binaryPath != nil || TestRedis.isCI,
                 "needs redis-server on PATH or FLOWCRAFT_REDIS_SERVER")
    }
}

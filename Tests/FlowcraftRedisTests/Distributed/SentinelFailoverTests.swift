import Foundation
@testable import FlowcraftRedis
import Testing

/// Redis Sentinel: the client finds the master through the sentinels, checks its role, and follows
/// a failover (`SENTINEL FAILOVER`, and a SIGKILLed master) — plain commands, and 200 concurrent
/// runs on two worker processes that must all complete with every node committed exactly once.
@Suite("Sentinel: discovery and failover", .requiresRedisServerBinary, .serialized)
struct SentinelFailoverTests {
    /// Retries `body` on transient errors (a failover in progress) for up to `timeout`.
    static func eventually<T>(
        timeout: Duration = .seconds(20), _ body: () async throws -> T
    ) async throws -> T {
        let deadline = ContinuousClock.now + timeout
        while true {
            do {
                return try await body()
            } catch {
                guard let redisError = error as? RedisError, redisError.isTransient, ContinuousClock.now < deadline else {
                    throw error
                }
                try await Task.sleep(for: .milliseconds(100))
            }
        }
    }

    /// Waits until the sentinels name a master other than `oldPort`.
    static func waitForNewMaster(_ cluster: SentinelCluster, oldPort: Int) async throws -> Int {
        for _ in 0..<300 {
            if let port = try? await cluster.masterPort(), port != 0, port != oldPort { return port }
            try await Task.sleep(for: .milliseconds(100))
        }
        Issue.record("the sentinels never promoted the replica")
        return oldPort
    }

    /// The role the server on `port` reports (`master`, `slave`).
    static func role(port: Int) async throws -> String? {
        let connection = try await RedisConnection.connect(RedisConfiguration(host: "127.0.0.1", port: port))
        let role = try await connection.send(["ROLE"]).array?.first?.string
        await connection.close()
        return role
    }

    @Test func clientFindsTheMasterAndFollowsAFailover() async throws {
        try await SentinelCluster.with { cluster in
            let client = RedisClient(configuration: try cluster.configuration())
            _ = try await client.send(["SET", "before", "1"])
            #expect(try await client.send(["ROLE"]).array?.first?.string == "master")
            _ = try await client.send(["WAIT", "1", "2000"])

            _ = try await cluster.askSentinel(["SENTINEL", "FAILOVER", SentinelCluster.masterName])
            let newPort = try await Self.waitForNewMaster(cluster, oldPort: cluster.master.port)
            #expect(newPort == cluster.replica.port)
            // The old master is still a master (the sentinels demote it up to ten seconds later) and
            // would accept writes that the failover then discards: the client must not use it.
            // `+switch-master`, published as the sentinels switch, makes it reconnect (a moment for
            // the announcement to arrive).
            #expect(try await Self.role(port: cluster.master.port) == "master")
            try await Task.sleep(for: .milliseconds(200))
            _ = try await Self.eventually { try await client.send(["SET", "after", "2"]) }
            #expect(try await client.send(["GET", "before"]).string == "1")
            let direct = try await RedisConnection.connect(cluster.replica.configuration())
            #expect(try await direct.send(["GET", "after"]).string == "2")
            await direct.close()
            await client.close()
        }
    }

    @Test func unknownMasterNameIsReported() async throws {
        try await SentinelCluster.with { cluster in
            var configuration = try cluster.configuration()
            configuration.sentinel?.masterName = "nosuchmaster"
            await #expect {
                _ = try await RedisConnection.connect(configuration)
            } throws: { error in
                (error as? RedisError)?.message.contains("does not know a master named 'nosuchmaster'") == true
            }
        }
    }

    /// Fails over while runs are active (checked), through ``ChaosTests/exercise``.
    static func runsSurviveFailover(_ failover: @escaping @Sendable (SentinelCluster) async throws -> Void) async throws {
        let setup = try ChaosTests.prepare(workMilliseconds: 40)
        try await SentinelCluster.with { cluster in
            let configuration = try cluster.configuration()
            try await ChaosTests.exercise(url: cluster.url, configuration: configuration, setup: setup) { _ in
                // As soon as runs are active (the worker processes start slowly on a loaded machine,
                // and the runs can all finish within a few hundred milliseconds on a fast one).
                let observer = RedisClient(configuration: configuration)
                let active = try await ChaosTests.waitUntilRunsAreActive(client: observer, queue: setup.queue)
                await observer.close()
                #expect(active > 0, "the failover must land while runs are active")
                // Replication is asynchronous: a master killed before its replica received the runs'
                // starts takes them along (on a loaded machine the replica, fsyncing every write, lags
                // by seconds). The runs' work is what this test disturbs, not their starts: a write
                // after the starts, acknowledged by the replica, means it has them all.
                let connection = try await RedisConnection.connect(configuration)
                _ = try await connection.send(["SET", "sentinel-test:replicated", "1"])
                let acknowledged = try await connection.send(["WAIT", "1", "20000"]).int ?? 0
                await connection.close()
                #expect(acknowledged == 1, "the replica must have the runs' starts before the failover")
                try await failover(cluster)
                _ = try await Self.waitForNewMaster(cluster, oldPort: cluster.master.port)
            }
        }
    }

    @Test("200 runs on two workers while SENTINEL FAILOVER moves the master: all complete, each node committed once")
    func runsSurviveSentinelFailover() async throws {
        try await Self.runsSurviveFailover { cluster in
            _ = try await cluster.askSentinel(["SENTINEL", "FAILOVER", SentinelCluster.masterName])
        }
    }

    @Test("200 runs on two workers while the master is SIGKILLed and the sentinels promote the replica: all complete, each node committed once")
    func runsSurviveAKilledMaster() async throws {
        try await Self.runsSurviveFailover { cluster in
            await cluster.master.stop(kill: true)
        }
    }
}

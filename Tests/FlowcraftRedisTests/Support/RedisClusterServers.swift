import Foundation
import FlowcraftRedis
import Testing

/// A test-owned Redis Cluster on free loopback ports: six `redis-server --cluster-enabled yes`
/// processes (each in its own temporary directory with its own `nodes.conf`), three masters with the
/// slots split evenly and one replica each, `cluster-node-timeout 2000`, no persistence.
///
/// The cluster is formed with `CLUSTER MEET`, `CLUSTER ADDSLOTSRANGE` and `CLUSTER REPLICATE` (what
/// `redis-cli --cluster create … --cluster-replicas 1` does), then ``start()`` waits for
/// `cluster_state:ok` on every node and for every replica to be in sync.
///
/// Suites share one cluster through the ``Testing/Trait/redisCluster`` suite trait (started once
/// before the suite, stopped after it whatever happens, available as ``current``); tests that damage
/// the cluster (fail-over, killing a node) use their own with ``with(_:)``.
final class RedisClusterServers: Sendable {
    /// The cluster the enclosing suite runs with (``Testing/Trait/redisCluster``).
    @TaskLocal static var current: RedisClusterServers?

    /// The six servers; the first three start as masters, server `i + 3` replicates server `i`.
    let servers: [PrivateRedisServer]

    private init(servers: [PrivateRedisServer]) {
        self.servers = servers
    }

    /// A `redis+cluster://` URL naming every node as a seed.
    var url: String {
        "redis+cluster://" + servers.map { "127.0.0.1:\($0.port)" }.joined(separator: ",")
    }

    /// A configuration for ``url`` with short reconnect and retry delays.
    func configuration(seeds: Int = 6) throws -> RedisConfiguration {
        var configuration = try RedisConfiguration(
            url: "redis+cluster://" + servers.prefix(seeds).map { "127.0.0.1:\($0.port)" }.joined(separator: ","))
        configuration.reconnectBaseDelay = .milliseconds(20)
        configuration.reconnectMaxDelay = .milliseconds(300)
        configuration.connectTimeout = .seconds(1)
        return configuration
    }

    /// Starts a cluster, runs `body`, and stops every server whatever happens.
    static func with<T: Sendable>(_ body: (RedisClusterServers) async throws -> T) async throws -> T {
        let cluster = try await start()
        do {
            let result = try await body(cluster)
            await cluster.stop()
            return result
        } catch {
            await cluster.stop()
            throw error
        }
    }

    /// Starts six servers and forms the cluster; stops what it started when that fails.
    static func start() async throws -> RedisClusterServers {
        guard PrivateRedisServer.binaryPath != nil else {
            Issue.record("redis-server not found (set FLOWCRAFT_REDIS_SERVER or put it on PATH)")
            throw PrivateRedisServer.StartupError(description: "redis-server not found")
        }
        var servers: [PrivateRedisServer] = []
        do {
            for _ in 0..<6 {
                // The bus port is its own free port: the default (port + 10000) overflows for
                // ephemeral ports above 55535.
                let busPort = try PrivateRedisServer.freePort()
                let server = try PrivateRedisServer(arguments: [
                    "--cluster-enabled", "yes", "--cluster-config-file", "nodes.conf",
                    "--cluster-port", String(busPort),
                    "--cluster-node-timeout", "2000", "--cluster-require-full-coverage", "yes",
                ])
                servers.append(server)
                try await server.start()
            }
            let cluster = RedisClusterServers(servers: servers)
            try await cluster.form()
            return cluster
        } catch {
            for server in servers { await server.stop(kill: true) }
            throw error
        }
    }

    /// Stops every server (SIGKILL: nothing to persist).
    func stop() async {
        for server in servers { await server.stop(kill: true) }
    }

    // MARK: - Forming the cluster

    private func form() async throws {
        let first = servers[0]
        for server in servers.dropFirst() {
            let busPort = Self.busPort(of: server)
            _ = try await send(["CLUSTER", "MEET", "127.0.0.1", String(server.port), String(busPort)], to: first.port)
        }
        let ranges = [(0, 5460), (5461, 10922), (10923, 16383)]
        for (index, range) in ranges.enumerated() {
            _ = try await send(["CLUSTER", "ADDSLOTSRANGE", String(range.0), String(range.1)], to: servers[index].port)
        }
        // Every node must know every other before a replica can name its master.
        try await waitUntil("every node knows the six nodes") {
            for server in self.servers {
                let nodes = try await self.send(["CLUSTER", "NODES"], to: server.port).string ?? ""
                let known = nodes.split(separator: "\n").filter { !$0.contains("handshake") && !$0.contains("noaddr") }
                if known.count < 6 { return false }
            }
            return true
        }
        for index in 0..<3 {
            let masterID = try await send(["CLUSTER", "MYID"], to: servers[index].port).string ?? ""
            _ = try await send(["CLUSTER", "REPLICATE", masterID], to: servers[index + 3].port)
        }
        try await waitUntilHealthy()
    }

    /// Waits for `cluster_state:ok` on every running node, every slot covered, and each replica
    /// linked to its master with the initial sync done.
    func waitUntilHealthy(timeout: Duration = .seconds(60)) async throws {
        try await waitUntil("cluster_state:ok and replicas in sync", timeout: timeout) {
            for server in self.servers where await server.isRunning {
                let info = try await self.send(["CLUSTER", "INFO"], to: server.port).string ?? ""
                guard info.contains("cluster_state:ok"), info.contains("cluster_slots_ok:16384") else { return false }
                let replication = try await self.send(["INFO", "replication"], to: server.port).string ?? ""
                if replication.contains("role:slave") {
                    guard replication.contains("master_link_status:up"),
                          replication.contains("master_sync_in_progress:0") else { return false }
                } else if !replication.contains("connected_slaves:1") {
                    return false
                }
            }
            return true
        }
    }

    /// The cluster bus port a server was started with (`--cluster-port`).
    private static func busPort(of server: PrivateRedisServer) -> Int {
        guard let flag = server.arguments.firstIndex(of: "--cluster-port"), flag + 1 < server.arguments.count else { return 0 }
        return Int(server.arguments[flag + 1]) ?? 0
    }

    // MARK: - Inspection and faults

    /// The port of the master that serves `slot`, per the first running node's `CLUSTER SHARDS`.
    func masterPort(forSlot slot: Int) async throws -> Int {
        for server in servers where await server.isRunning {
            let nodes = try await send(["CLUSTER", "NODES"], to: server.port).string ?? ""
            for line in nodes.split(separator: "\n") {
                let fields = line.split(separator: " ").map(String.init)
                guard fields.count >= 9, fields[2].contains("master"), !fields[2].contains("fail") else { continue }
                for range in fields[8...] where !range.hasPrefix("[") {
                    let bounds = range.split(separator: "-").compactMap { Int($0) }
                    let low = bounds.first ?? -1
                    let high = bounds.last ?? -1
                    if (low...high).contains(slot) {
                        return Int(fields[1].split(separator: "@")[0].split(separator: ":").last ?? "") ?? 0
                    }
                }
            }
            return 0
        }
        return 0
    }

    /// The server listening on `port`.
    func server(port: Int) -> PrivateRedisServer? {
        servers.first { $0.port == port }
    }

    /// The replica of the master on `masterPort`, per that master's `INFO replication`.
    func replicaPort(of masterPort: Int) async throws -> Int {
        let info = try await send(["INFO", "replication"], to: masterPort).string ?? ""
        for line in info.split(whereSeparator: \.isNewline) where line.hasPrefix("slave0:") {
            for field in line.dropFirst("slave0:".count).split(separator: ",") where field.hasPrefix("port=") {
                return Int(field.dropFirst("port=".count)) ?? 0
            }
        }
        return 0
    }

    /// Waits until the replica of the master on `masterPort` has everything the master wrote.
    func waitForReplicaSync(masterPort: Int) async throws {
        let replicaPort = try await replicaPort(of: masterPort)
        try await waitUntil("the replica of \(masterPort) to catch up", timeout: .seconds(10)) {
            let master = try await self.send(["INFO", "replication"], to: masterPort).string ?? ""
            let replica = try await self.send(["INFO", "replication"], to: replicaPort).string ?? ""
            let written = Self.field("master_repl_offset", in: master)
            return written != nil && written == Self.field("slave_repl_offset", in: replica)
        }
    }

    private static func field(_ name: String, in info: String) -> Int? {
        for line in info.split(whereSeparator: \.isNewline) where line.hasPrefix(name + ":") {
            return Int(line.dropFirst(name.count + 1))
        }
        return nil
    }

    /// The node ID of the server on `port`.
    func nodeID(port: Int) async throws -> String {
        try await send(["CLUSTER", "MYID"], to: port).string ?? ""
    }

    /// Sends one command to one node (a plain connection, no cluster routing).
    func send(_ command: [String], to port: Int) async throws -> RedisReply {
        let connection = try await RedisConnection.connect(RedisConfiguration(host: "127.0.0.1", port: port))
        do {
            let reply = try await connection.send(command)
            await connection.close()
            return reply
        } catch {
            await connection.close()
            throw error
        }
    }

    private func waitUntil(
        _ what: String, timeout: Duration = .seconds(60), _ condition: @Sendable () async throws -> Bool
    ) async throws {
        let deadline = ContinuousClock.now + timeout
        var lastError: (any Error)?
        while ContinuousClock.now < deadline {
            do {
                if try await condition() { return }
            } catch {
                lastError = error
            }
            try await Task.sleep(for: .milliseconds(100))
        }
        throw PrivateRedisServer.StartupError(
            description: "Redis Cluster: gave up waiting for \(what)" + (lastError.map { " (last error: \($0))" } ?? ""))
    }
}

/// Starts one ``RedisClusterServers`` around a whole suite and makes it ``RedisClusterServers/current``.
struct RedisClusterTrait: SuiteTrait, TestScoping {
    var isRecursive: Bool { false }

    func provideScope(
        for test: Test, testCase: Test.Case?, performing function: @Sendable () async throws -> Void
    ) async throws {
        let cluster = try await RedisClusterServers.start()
        do {
            try await RedisClusterServers.$current.withValue(cluster) { try await function() }
            await cluster.stop()
        } catch {
            await cluster.stop()
            throw error
        }
    }
}

extension Trait where Self == RedisClusterTrait {
    /// One Redis Cluster of six servers shared by the suite's tests (``RedisClusterServers/current``).
    static var redisCluster: Self { RedisClusterTrait() }
}

import Foundation
import FlowcraftRedis
import Testing

/// A test-owned Redis Cluster on free loopback ports: six `redis-server --cluster-enabled yes`
/// processes (each in its own temporary directory with its own `nodes.conf`), three masters with the
/// slots split evenly and one replica each, `cluster-node-timeout 2000`, no persistence.
///
/// The cluster is formed with `redis-cli --cluster create … --cluster-replicas 1 --cluster-yes`
/// (ports are chosen so that the bus port, port + 10000, is free too), then ``start()`` waits for
/// `cluster_state:ok` on every node and for every replica to be in sync. Which server becomes a
/// master is redis-cli's choice: ask ``masterPorts()`` and ``replicaPort(of:)``.
///
/// Suites share one cluster through the ``Testing/Trait/redisCluster`` suite trait (started once
/// before the suite, stopped after it whatever happens, available as ``current``); tests that damage
/// the cluster (fail-over, killing a node) use their own with ``with(_:)``.
final class RedisClusterServers: Sendable {
    /// The cluster the enclosing suite runs with (``Testing/Trait/redisCluster``).
    @TaskLocal static var current: RedisClusterServers?

    /// The six servers (which are masters: ``masterPorts()``).
    let servers: [PrivateRedisServer]
    /// For a TLS cluster (`tls-cluster yes`, `tls-replication yes`, no plain port): its test PKI.
    let certificates: TestCertificates?

    private init(servers: [PrivateRedisServer], certificates: TestCertificates?) {
        self.servers = servers
        self.certificates = certificates
    }

    /// A `redis+cluster://` URL naming every node as a seed (`rediss+cluster://…?ca=…` for TLS).
    var url: String { url(seeds: servers.count) }

    private func url(seeds: Int) -> String {
        let hosts = servers.prefix(seeds).map { "127.0.0.1:\($0.port)" }.joined(separator: ",")
        guard let certificates else { return "redis+cluster://" + hosts }
        return "rediss+cluster://" + hosts + "?ca=" + certificates.caFile
    }

    /// `redis-cli` options to reach the nodes (TLS with the test CA for a TLS cluster).
    private var cliConnectionOptions: [String] {
        certificates.map { ["--tls", "--cacert", $0.caFile] } ?? []
    }

    /// A configuration for ``url`` with short reconnect and retry delays.
    func configuration(seeds: Int = 6) throws -> RedisConfiguration {
        var configuration = try RedisConfiguration(url: url(seeds: seeds))
        configuration.reconnectBaseDelay = .milliseconds(20)
        configuration.reconnectMaxDelay = .milliseconds(300)
        configuration.connectTimeout = .seconds(1)
        return configuration
    }

    /// Starts a cluster, runs `body`, and stops every server whatever happens.
    static func with<T: Sendable>(tls: Bool = false, _ body: (RedisClusterServers) async throws -> T) async throws -> T {
        let cluster = try await start(tls: tls)
        do {
            let result = try await body(cluster)
            await cluster.stop()
            return result
        } catch {
            await cluster.stop()
            throw error
        }
    }

    /// Starts six servers and forms the cluster; stops what it started when that fails. With `tls`
    /// the nodes serve TLS only, talk TLS on the cluster bus and between master and replica.
    static func start(tls: Bool = false) async throws -> RedisClusterServers {
        guard PrivateRedisServer.binaryPath != nil else {
            Issue.record("redis-server not found (set FLOWCRAFT_REDIS_SERVER or put it on PATH)")
            throw PrivateRedisServer.StartupError(description: "redis-server not found")
        }
        var servers: [PrivateRedisServer] = []
        let certificates = tls ? try TestCertificates() : nil
        do {
            for _ in 0..<6 {
                // The cluster bus listens on port + 10000: both must be free and below 65536.
                let server = try PrivateRedisServer(
                    port: try freeClusterPort(),
                    arguments: [
                        "--cluster-enabled", "yes", "--cluster-config-file", "nodes.conf",
                        "--cluster-node-timeout", "2000", "--cluster-require-full-coverage", "yes",
                    ] + (tls ? ["--tls-cluster", "yes", "--tls-replication", "yes"] : []),
                    certificates: certificates)
                servers.append(server)
                try await server.start()
            }
            let cluster = RedisClusterServers(servers: servers, certificates: certificates)
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
        try await Self.runRedisCLI(
            cliConnectionOptions + ["--cluster", "create"] + servers.map { "127.0.0.1:\($0.port)" } + ["--cluster-replicas", "1", "--cluster-yes"],
            what: "redis-cli --cluster create")
        try await waitUntilHealthy()
    }

    /// Moves `slots` slots from the master on `sourcePort` to the master on `targetPort` with
    /// `redis-cli --cluster reshard` (keys migrated in batches while clients keep working), then
    /// waits until the cluster is healthy again.
    func reshard(slots: Int, from sourcePort: Int, to targetPort: Int) async throws {
        // redis-cli refuses to reshard ("Please fix your cluster problems") while any node still
        // disagrees about the slot map, e.g. a replica that has not yet heard of a slot an earlier
        // test moved with `CLUSTER SETSLOT … NODE`.
        try await waitUntilHealthy()
        let sourceID = try await nodeID(port: sourcePort)
        let targetID = try await nodeID(port: targetPort)
        try await Self.runRedisCLI(
            cliConnectionOptions + ["--cluster", "reshard", "127.0.0.1:\(sourcePort)", "--cluster-from", sourceID, "--cluster-to", targetID,
             "--cluster-slots", String(slots), "--cluster-yes", "--cluster-pipeline", "50"],
            what: "redis-cli --cluster reshard")
        try await waitUntilHealthy()
    }

    /// Path of `redis-cli`: next to the redis-server binary, or on `PATH`.
    static let cliPath: String? = {
        if let server = PrivateRedisServer.binaryPath {
            let sibling = URL(fileURLWithPath: server).deletingLastPathComponent().appendingPathComponent("redis-cli").path
            if FileManager.default.isExecutableFile(atPath: sibling) { return sibling }
        }
        for directory in (ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/usr/local/bin").split(separator: ":") {
            let candidate = "\(directory)/redis-cli"
            if FileManager.default.isExecutableFile(atPath: candidate) { return candidate }
        }
        return nil
    }()

    /// Runs redis-cli with `arguments` and waits (polling, off the cooperative pool's threads'
    /// blocking calls) for it to exit 0.
    private static func runRedisCLI(_ arguments: [String], what: String) async throws {
        guard let cli = cliPath else {
            Issue.record("redis-cli not found (it ships with redis-server; needed to create a test cluster)")
            throw PrivateRedisServer.StartupError(description: "redis-cli not found")
        }
        let outcome: ChildProcess.Outcome
        do {
            outcome = try await ChildProcess.run([cli] + arguments, timeout: .seconds(120))
        } catch {
            throw PrivateRedisServer.StartupError(description: "\(what): \(error)")
        }
        guard outcome.status == 0 else {
            // The tail of what redis-cli printed says why (its checks print "[ERR] …" lines).
            let printed = (outcome.stdout + outcome.stderr).split(whereSeparator: \.isNewline).suffix(15).joined(separator: "\n")
            let ending = outcome.status == 128 + SIGKILL ? "did not finish within 120 s" : "failed (exit status \(outcome.status))"
            throw PrivateRedisServer.StartupError(description: "\(what) \(ending); it printed:\n\(printed)")
        }
    }

    /// A free loopback port whose cluster bus port (port + 10000) is free too, both reserved for
    /// this test process.
    private static func freeClusterPort() throws -> Int {
        try PrivateRedisServer.freePort(alsoReserving: 10000)
    }

    /// Waits for `cluster_state:ok` on every running node, every slot covered, and each replica
    /// linked to its master with the initial sync done.
    func waitUntilHealthy(timeout: Duration = .seconds(60)) async throws {
        try await waitUntil("cluster_state:ok, one slot map on every node and replicas in sync", timeout: timeout) {
            var firstSlotMap: [String: [String]]?
            for server in self.servers where await server.isRunning {
                let info = try await self.send(["CLUSTER", "INFO"], to: server.port).string ?? ""
                guard info.contains("cluster_state:ok"), info.contains("cluster_slots_ok:16384") else { return false }
                let slotMap = try await self.slotMap(port: server.port)
                guard slotMap.isComplete else { return false }
                if let agreed = firstSlotMap, agreed != slotMap.owners { return false }
                firstSlotMap = slotMap.owners
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

    // MARK: - Inspection and faults

    /// What the node on `port` believes about slot ownership: each master's node ID with its slot
    /// ranges, and whether it knows of no slot being migrated or imported.
    private func slotMap(port: Int) async throws -> (owners: [String: [String]], isComplete: Bool) {
        let nodes = try await send(["CLUSTER", "NODES"], to: port).string ?? ""
        var owners: [String: [String]] = [:]
        var settled = true
        for line in nodes.split(separator: "\n") {
            let fields = line.split(separator: " ").map(String.init)
            guard fields.count >= 8, fields[2].contains("master") else { continue }
            let ranges = Array(fields.dropFirst(8))
            if ranges.contains(where: { $0.hasPrefix("[") }) { settled = false }
            let owned = ranges.filter { !$0.hasPrefix("[") }
            if !owned.isEmpty { owners[fields[0]] = owned }
        }
        return (owners, settled)
    }

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

    /// The ports of the current masters that serve slots, lowest first (from the first running
    /// node's `CLUSTER NODES`).
    func masterPorts() async throws -> [Int] {
        for server in servers where await server.isRunning {
            let nodes = try await send(["CLUSTER", "NODES"], to: server.port).string ?? ""
            var ports: [Int] = []
            for line in nodes.split(separator: "\n") {
                let fields = line.split(separator: " ").map(String.init)
                guard fields.count >= 9, fields[2].contains("master"), !fields[2].contains("fail") else { continue }
                if let port = Int(fields[1].split(separator: "@")[0].split(separator: ":").last ?? "") { ports.append(port) }
            }
            return ports.sorted()
        }
        return []
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
        var configuration = RedisConfiguration(host: "127.0.0.1", port: port)
        if let certificates { configuration.tls = RedisTLSConfiguration(caFile: certificates.caFile) }
        let connection = try await RedisConnection.connect(configuration)
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

import Foundation
import FlowcraftRedis
import Testing

#if canImport(Glibc)
import Glibc
#endif

/// A test-owned Sentinel deployment on free loopback ports: a master, one replica and three
/// `redis-server --sentinel` processes monitoring the master as ``masterName`` (quorum 2, down after
/// 1 s), all stopped by ``with(_:)``.
final class SentinelCluster: Sendable {
    static let masterName = "flowcraft"
    let master: PrivateRedisServer
    let replica: PrivateRedisServer
    let sentinels: [SentinelProcess]

    /// `redis+sentinel://` URL naming the three sentinels and the master.
    var url: String {
        "redis+sentinel://" + sentinels.map { "127.0.0.1:\($0.port)" }.joined(separator: ",") + "/\(Self.masterName)"
    }

    /// A configuration for ``url`` with short reconnect delays.
    func configuration() throws -> RedisConfiguration {
        var configuration = try RedisConfiguration(url: url)
        configuration.reconnectBaseDelay = .milliseconds(20)
        configuration.reconnectMaxDelay = .milliseconds(300)
        configuration.connectTimeout = .seconds(1)
        return configuration
    }

    private init(master: PrivateRedisServer, replica: PrivateRedisServer, sentinels: [SentinelProcess]) {
        self.master = master
        self.replica = replica
        self.sentinels = sentinels
    }

    /// Starts everything, waits until the sentinels know the replica and each other, runs `body`,
    /// and stops every process whatever happens.
    static func with<T: Sendable>(_ body: (SentinelCluster) async throws -> T) async throws -> T {
        guard let binary = PrivateRedisServer.binaryPath else {
            Issue.record("redis-server not found (set FLOWCRAFT_REDIS_SERVER or put it on PATH)")
            throw PrivateRedisServer.StartupError(description: "redis-server not found")
        }
        // AOF fsync'ed on every write on both, so a restarted node keeps what it acknowledged.
        let master = try PrivateRedisServer(appendOnly: true)
        try await master.start()
        let replica = try PrivateRedisServer(arguments: ["--replicaof", "127.0.0.1", String(master.port)], appendOnly: true)
        var sentinels: [SentinelProcess] = []
        do {
            try await replica.start()
            for _ in 0..<3 {
                let sentinel = try SentinelProcess(binary: binary, masterPort: master.port)
                sentinels.append(sentinel)
                try await sentinel.start()
            }
            let cluster = SentinelCluster(master: master, replica: replica, sentinels: sentinels)
            try await cluster.waitUntilReady()
            let result = try await body(cluster)
            await cluster.stop()
            return result
        } catch {
            for sentinel in sentinels { await sentinel.stop() }
            await replica.stop()
            await master.stop()
            throw error
        }
    }

    func stop() async {
        for sentinel in sentinels { await sentinel.stop() }
        await replica.stop()
        await master.stop()
    }

    /// Sends a command to the first sentinel that answers.
    func askSentinel(_ command: [String]) async throws -> RedisReply {
        var lastError: (any Error)?
        for sentinel in sentinels where await sentinel.isRunning {
            do {
                let connection = try await RedisConnection.connect(RedisConfiguration(host: "127.0.0.1", port: sentinel.port))
                defer { Task { await connection.close() } }
                return try await connection.send(command)
            } catch {
                lastError = error
            }
        }
        throw lastError ?? PrivateRedisServer.StartupError(description: "no sentinel is running")
    }

    /// The master's port as the sentinels report it.
    func masterPort() async throws -> Int {
        let reply = try await askSentinel(["SENTINEL", "get-master-addr-by-name", Self.masterName])
        return Int(reply.array?.last?.string ?? "") ?? 0
    }

    /// Waits until every sentinel knows the replica (in sync) and the two other sentinels, so that a
    /// failover can happen.
    private func waitUntilReady() async throws {
        for _ in 0..<300 {
            var ready = true
            for sentinel in sentinels {
                let connection = try await RedisConnection.connect(RedisConfiguration(host: "127.0.0.1", port: sentinel.port))
                let master = try await connection.send(["SENTINEL", "master", Self.masterName])
                let replicas = try await connection.send(["SENTINEL", "replicas", Self.masterName])
                await connection.close()
                let fields = Self.fields(master)
                let others = Int(fields["num-other-sentinels"] ?? "") ?? 0
                let goodReplicas = (replicas.array ?? []).filter {
                    let replica = Self.fields($0)
                    return replica["flags"] == "slave" && replica["master-link-status"] == "ok"
                }
                if others < 2 || goodReplicas.isEmpty { ready = false }
            }
            if ready { return }
            try await Task.sleep(for: .milliseconds(100))
        }
        throw PrivateRedisServer.StartupError(description: "the sentinels never saw the replica and each other")
    }

    /// A flat `[name, value, …]` reply as a dictionary.
    static func fields(_ reply: RedisReply) -> [String: String] {
        let items = reply.array ?? []
        var result: [String: String] = [:]
        var index = 0
        while index + 1 < items.count {
            if let key = items[index].string { result[key] = items[index + 1].string ?? "" }
            index += 2
        }
        return result
    }
}

/// One `redis-server <conf> --sentinel` process with a config file of its own.
actor SentinelProcess {
    nonisolated let port: Int
    nonisolated let directory: URL
    private let binary: String
    private var pid: pid_t = 0
    private var exited = false
    nonisolated(unsafe) private var runningPID: Int32 = 0

    init(binary: String, masterPort: Int) throws {
        self.binary = binary
        port = try PrivateRedisServer.freePort()
        directory = FileManager.default.temporaryDirectory
            .appendingPathComponent("flowcraft-sentinel-\(UUID().uuidString)", isDirectory: true)
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        let configuration = """
            port \(port)
            bind 127.0.0.1
            daemonize no
            dir \(directory.path)
            logfile \(directory.appendingPathComponent("sentinel.log").path)
            sentinel monitor \(SentinelCluster.masterName) 127.0.0.1 \(masterPort) 2
            sentinel down-after-milliseconds \(SentinelCluster.masterName) 1000
            sentinel failover-timeout \(SentinelCluster.masterName) 5000
            sentinel parallel-syncs \(SentinelCluster.masterName) 1

            """
        try configuration.write(to: directory.appendingPathComponent("sentinel.conf"), atomically: true, encoding: .utf8)
    }

    deinit {
        if runningPID > 0 { kill(runningPID, SIGKILL) }
        try? FileManager.default.removeItem(at: directory)
    }

    func start() async throws {
        let spawned = try PrivateRedisServer.spawn([binary, directory.appendingPathComponent("sentinel.conf").path, "--sentinel"])
        pid = spawned
        runningPID = spawned
        for _ in 0..<500 {
            if PrivateRedisServer.acceptsConnections(port: port) { return }
            if !isRunning { break }
            try await Task.sleep(for: .milliseconds(10))
        }
        let log = (try? String(contentsOf: directory.appendingPathComponent("sentinel.log"), encoding: .utf8)) ?? ""
        await stop()
        throw PrivateRedisServer.StartupError(description: "redis-sentinel on port \(port) did not start:\n\(log.suffix(2000))")
    }

    func stop() async {
        guard pid > 0 else { return }
        kill(pid, SIGKILL)
        while isRunning { try? await Task.sleep(for: .milliseconds(10)) }
        pid = 0
        runningPID = 0
    }

    var isRunning: Bool {
        guard pid > 0, !exited else { return false }
        var status: Int32 = 0
        let result = waitpid(pid, &status, WNOHANG)
        if result == pid || result < 0 {
            exited = true
            return false
        }
        return true
    }
}

import Flowcraft
import Foundation
import FlowcraftRedis
import Testing

#if canImport(Glibc)
import Glibc
#endif

/// A throwaway `redis-server` process owned by one test, on a free port in its own directory, that the
/// test can stop, kill and restart (reconnection and reliability tests).
///
/// The binary is `$FLOWCRAFT_REDIS_SERVER` or `redis-server` from `PATH`. Use ``with(arguments:appendOnly:_:)``
/// so the server is always stopped; a server left running is killed when this object is released.
actor PrivateRedisServer {
    /// Path of the redis-server binary, if one can be found.
    static let binaryPath: String? = {
        let environment = ProcessInfo.processInfo.environment
        if let explicit = environment["FLOWCRAFT_REDIS_SERVER"], !explicit.isEmpty {
            return FileManager.default.isExecutableFile(atPath: explicit) ? explicit : nil
        }
        for directory in (environment["PATH"] ?? "/usr/bin:/usr/local/bin").split(separator: ":") {
            let candidate = "\(directory)/redis-server"
            if FileManager.default.isExecutableFile(atPath: candidate) { return candidate }
        }
        return nil
    }()

    struct StartupError: Error, CustomStringConvertible {
        let description: String
    }

    /// TCP port the server listens on (stable across restarts).
    nonisolated let port: Int
    /// The server's working directory (AOF/RDB files, log).
    nonisolated let directory: URL
    nonisolated let arguments: [String]
    nonisolated let appendOnly: Bool
    /// When set, the server speaks TLS (only) on ``port`` with these certificates.
    nonisolated let certificates: TestCertificates?
    /// With ``certificates``: whether clients must present a certificate (mutual TLS).
    nonisolated let requireClientCertificates: Bool
    private var pid: pid_t = 0
    private var exited = false
    /// PID of the running server, readable from `deinit` to kill a leftover process.
    // nonisolated(unsafe): only written by the actor while (re)starting/stopping; deinit reads it when
    // no other reference (and so no concurrent access) exists.
    nonisolated(unsafe) private var runningPID: Int32 = 0

    /// A URL for this server (add credentials yourself when `arguments` sets a password).
    nonisolated var url: String { "redis://127.0.0.1:\(port)" }

    /// A configuration for this server, with short reconnect delays to keep tests quick.
    nonisolated func configuration(password: String? = nil, username: String? = nil, database: Int = 0) -> RedisConfiguration {
        var configuration = RedisConfiguration(host: "127.0.0.1", port: port)
        configuration.password = password
        configuration.username = username
        configuration.database = database
        configuration.reconnectBaseDelay = .milliseconds(20)
        configuration.reconnectMaxDelay = .milliseconds(200)
        return configuration
    }

    /// - Parameter port: the port to listen on; a free one when `nil`.
    init(
        port: Int? = nil, arguments: [String] = [], appendOnly: Bool = false, certificates: TestCertificates? = nil,
        requireClientCertificates: Bool = false
    ) throws {
        self.port = try port ?? Self.freePort()
        self.directory = FileManager.default.temporaryDirectory
            .appendingPathComponent("flowcraft-redis-\(UUID().uuidString)", isDirectory: true)
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        self.arguments = arguments
        self.appendOnly = appendOnly
        self.certificates = certificates
        self.requireClientCertificates = requireClientCertificates
    }

    /// A TLS configuration trusting the test CA, for a server started with ``certificates``.
    nonisolated func tlsConfiguration(host: String = "localhost") -> RedisConfiguration {
        var configuration = configuration()
        configuration.host = host
        configuration.tls = RedisTLSConfiguration(caFile: certificates?.caFile)
        return configuration
    }

    deinit {
        if runningPID > 0 { kill(runningPID, SIGKILL) }
        try? FileManager.default.removeItem(at: directory)
    }

    /// Starts a server, runs `body`, and stops the server whatever happens.
    static func with<T: Sendable>(
        arguments: [String] = [], appendOnly: Bool = false, certificates: TestCertificates? = nil,
        requireClientCertificates: Bool = false,
        _ body: (PrivateRedisServer) async throws -> T
    ) async throws -> T {
        guard binaryPath != nil else {
            Issue.record("redis-server not found (set FLOWCRAFT_REDIS_SERVER or put it on PATH)")
            throw StartupError(description: "redis-server not found")
        }
        let server = try PrivateRedisServer(
            arguments: arguments, appendOnly: appendOnly, certificates: certificates,
            requireClientCertificates: requireClientCertificates)
        try await server.start()
        do {
            let result = try await body(server)
            await server.stop()
            return result
        } catch {
            await server.stop()
            throw error
        }
    }

    /// Starts the server and waits until it accepts TCP connections.
    func start() async throws {
        guard pid == 0 else { return }
        guard let binary = Self.binaryPath else { throw StartupError(description: "redis-server not found") }
        let logPath = directory.appendingPathComponent("redis.log").path
        let arguments = [
            binary,
            "--port", String(port), "--bind", "127.0.0.1", "--save", "",
            "--appendonly", appendOnly ? "yes" : "no", "--appendfsync", "always",
            "--dir", directory.path, "--daemonize", "no", "--logfile", logPath,
        ] + (certificates?.serverArguments(port: port, requireClientCertificates: requireClientCertificates) ?? [])
            + self.arguments
        let spawned = try Self.spawn(arguments)
        pid = spawned
        exited = false
        runningPID = spawned
        for _ in 0..<500 {
            if Self.acceptsConnections(port: port) { return }
            if !isRunning { break }
            try await Task.sleep(for: .milliseconds(10))
        }
        let log = (try? String(contentsOf: URL(fileURLWithPath: logPath), encoding: .utf8)) ?? ""
        await stop(kill: true)
        throw StartupError(description: "redis-server on port \(port) did not start:\n\(log.suffix(2000))")
    }

    /// Stops the server: SIGTERM (clean shutdown, AOF flushed) or SIGKILL, and waits for it to exit.
    func stop(kill useKill: Bool = false) async {
        guard pid > 0 else { return }
        kill(pid, useKill ? SIGKILL : SIGTERM)
        var waited = 0
        while isRunning {
            try? await Task.sleep(for: .milliseconds(10))
            waited += 1
            // A server that ignores SIGTERM for 10 s is killed.
            if waited == 1000 { kill(pid, SIGKILL) }
        }
        pid = 0
        runningPID = 0
    }

    /// Whether the process is still running (reaps it once it has exited).
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

    /// ``ChildProcess/spawn(_:standardOutput:standardError:)``: an empty signal mask and default
    /// handlers (the test runner blocks signals such as SIGTERM in its threads, and a child inheriting
    /// that mask would ignore `stop()`), none of the test process's descriptors.
    static func spawn(_ arguments: [String]) throws -> pid_t {
        do {
            return try ChildProcess.spawn(arguments)
        } catch {
            throw StartupError(description: "\(error)")
        }
    }

    /// Stops (or kills) and starts the server again on the same port and directory.
    func restart(kill useKill: Bool = false) async throws {
        await stop(kill: useKill)
        try await start()
    }


    // MARK: - Helpers

    /// Every port ``freePort()`` handed out in this test process. A port is never handed out twice:
    /// suites run side by side, and a server another suite started on the port of a server just
    /// killed would be taken for it — by its clients, by the sentinels that watched it (which then make
    /// it a replica), by cluster nodes.
    private static let handedOut = PthreadMutex<Set<Int>>([])

    /// A loopback port nothing listens on that this process never handed out before; with
    /// `alsoReserving`, a port whose port + offset is neither (a cluster node's bus port), reserved
    /// along with it.
    static func freePort(alsoReserving offset: Int? = nil) throws -> Int {
        for _ in 0..<1000 {
            let port = try unusedPort()
            let companion = offset.map { port + $0 }
            if let companion, companion > 65535 || !canBind(companion) { continue }
            let reserved = handedOut.withLock { ports in
                guard !ports.contains(port), !(companion.map(ports.contains) ?? false) else { return false }
                ports.insert(port)
                if let companion { ports.insert(companion) }
                return true
            }
            if reserved { return port }
        }
        throw StartupError(description: "no free loopback port that this test process has not used before")
    }

    /// Whether a listening socket could bind `port` on loopback now.
    static func canBind(_ port: Int) -> Bool {
        withLoopbackSocket(port: port) { fd, address, length in bind(fd, address, length) == 0 } ?? false
    }

    /// A port the kernel picks for a loopback bind.
    private static func unusedPort() throws -> Int {
        let port = withLoopbackSocket(port: 0) { fd, address, length -> Result<Int, StartupError> in
            guard bind(fd, address, length) == 0 else { return .failure(StartupError(description: "bind() failed")) }
            var bound = sockaddr_in()
            var boundLength = socklen_t(MemoryLayout<sockaddr_in>.size)
            let named = withUnsafeMutablePointer(to: &bound) {
                $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(fd, $0, &boundLength) }
            }
            guard named == 0 else { return .failure(StartupError(description: "getsockname() failed")) }
            return .success(Int(UInt16(bigEndian: bound.sin_port)))
        }
        guard let port else { throw StartupError(description: "socket() failed") }
        return try port.get()
    }

    static func acceptsConnections(port: Int) -> Bool {
        withLoopbackSocket(port: port) { fd, address, length in connect(fd, address, length) == 0 } ?? false
    }

    /// `body` with a new TCP socket (closed afterwards) and the loopback address of `port`; `nil` when
    /// no socket could be made.
    private static func withLoopbackSocket<T>(
        port: Int, _ body: (Int32, UnsafePointer<sockaddr>, socklen_t) -> T
    ) -> T? {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard fd >= 0 else { return nil }
        defer { close(fd) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = UInt16(port).bigEndian
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        return withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { body(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
    }
}

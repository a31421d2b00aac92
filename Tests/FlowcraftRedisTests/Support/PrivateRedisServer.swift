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
    private var process: Process?
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

    init(arguments: [String] = [], appendOnly: Bool = false) throws {
        self.port = try Self.freePort()
        self.directory = FileManager.default.temporaryDirectory
            .appendingPathComponent("flowcraft-redis-\(UUID().uuidString)", isDirectory: true)
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        self.arguments = arguments
        self.appendOnly = appendOnly
    }

    deinit {
        if runningPID > 0 { kill(runningPID, SIGKILL) }
        try? FileManager.default.removeItem(at: directory)
    }

    /// Starts a server, runs `body`, and stops the server whatever happens.
    static func with<T: Sendable>(
        arguments: [String] = [], appendOnly: Bool = false,
        _ body: (PrivateRedisServer) async throws -> T
    ) async throws -> T {
        guard binaryPath != nil else {
            Issue.record("redis-server not found (set FLOWCRAFT_REDIS_SERVER or put it on PATH)")
            throw StartupError(description: "redis-server not found")
        }
        let server = try PrivateRedisServer(arguments: arguments, appendOnly: appendOnly)
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
        guard process == nil else { return }
        guard let binary = Self.binaryPath else { throw StartupError(description: "redis-server not found") }
        let process = Process()
        process.executableURL = URL(fileURLWithPath: binary)
        process.arguments = [
            "--port", String(port), "--bind", "127.0.0.1", "--save", "",
            "--appendonly", appendOnly ? "yes" : "no", "--appendfsync", "always",
            "--dir", directory.path, "--daemonize", "no",
            "--logfile", directory.appendingPathComponent("redis.log").path,
        ] + arguments
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle.nullDevice
        try process.run()
        self.process = process
        runningPID = process.processIdentifier
        for _ in 0..<500 {
            if Self.acceptsConnections(port: port) { return }
            if !process.isRunning { break }
            try await Task.sleep(for: .milliseconds(10))
        }
        let log = (try? String(contentsOf: directory.appendingPathComponent("redis.log"), encoding: .utf8)) ?? ""
        await stop()
        throw StartupError(description: "redis-server on port \(port) did not start:\n\(log.suffix(2000))")
    }

    /// Stops the server: SIGTERM (clean shutdown, AOF flushed) or SIGKILL, and waits for it to exit.
    func stop(kill useKill: Bool = false) async {
        guard let process else { return }
        if process.isRunning {
            if useKill { kill(process.processIdentifier, SIGKILL) } else { process.terminate() }
        }
        while process.isRunning {
            try? await Task.sleep(for: .milliseconds(10))
        }
        self.process = nil
        runningPID = 0
    }

    /// Stops (or kills) and starts the server again on the same port and directory.
    func restart(kill useKill: Bool = false) async throws {
        await stop(kill: useKill)
        try await start()
    }

    /// Whether the process is running.
    var isRunning: Bool { process?.isRunning ?? false }

    // MARK: - Helpers

    private static func freePort() throws -> Int {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard fd >= 0 else { throw StartupError(description: "socket() failed") }
        defer { close(fd) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = 0
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        let bound = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        guard bound == 0 else { throw StartupError(description: "bind() failed") }
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        let named = withUnsafeMutablePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(fd, $0, &length) }
        }
        guard named == 0 else { throw StartupError(description: "getsockname() failed") }
        return Int(UInt16(bigEndian: address.sin_port))
    }

    private static func acceptsConnections(port: Int) -> Bool {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard fd >= 0 else { return false }
        defer { close(fd) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = UInt16(port).bigEndian
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        let result = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        return result == 0
    }
}

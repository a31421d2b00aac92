import Logging
import Synchronization

/// A small pool of auto-pipelined ``RedisConnection``s that reconnect on their own.
///
/// Connections open lazily on first use. Commands go to the first connection until it has
/// 16 requests outstanding, then to the least loaded one: concurrent callers share
/// round trips (auto-pipelining), and a connection busy with a large reply does not stall the rest. Blocking commands (`BZPOPMIN`,
/// `XREAD BLOCK`) must not run on the pool — they would stall every command queued behind them — use
/// ``dedicatedConnection()`` for those.
public final class RedisClient: Sendable {
    /// The configuration every connection uses.
    public let configuration: RedisConfiguration
    private let logger: Logger
    private let connections: [RedisConnection]
    private let scripts: Mutex<[RedisScript]>
    private let closed = Atomic<Bool>(false)
    /// Thrown by every command when a pool connection could not be created (thread start failure).
    private let startupError: RedisError?

    /// Creates the pool; nothing connects until the first command.
    /// - Parameters:
    ///   - poolSize: connections in the pool (at least 1). Two suffice for most workloads, since each
    ///     connection pipelines concurrent commands.
    public init(
        configuration: RedisConfiguration,
        poolSize: Int = 2,
        logger: Logger = Logger(label: "flowcraft.redis")
    ) {
        self.configuration = configuration
        self.logger = logger
        self.scripts = Mutex([])
        var connections: [RedisConnection] = []
        var startupError: RedisError?
        for _ in 0..<max(1, poolSize) {
            do {
                connections.append(try RedisConnection(configuration: configuration, logger: logger, scripts: []))
            } catch {
                startupError = error
            }
        }
        self.connections = connections
        self.startupError = connections.isEmpty ? (startupError ?? .connection("no connection could be created")) : nil
    }

    /// Convenience: a client for a URL such as `redis://:secret@127.0.0.1:6379/2`.
    public convenience init(url: String, poolSize: Int = 2, logger: Logger = Logger(label: "flowcraft.redis")) throws(RedisError) {
        self.init(configuration: try RedisConfiguration(url: url), poolSize: poolSize, logger: logger)
    }

    /// Outstanding requests on a connection before the pool prefers a less loaded one.
    static let spillOverLoad = 16

    private func connection() throws(RedisError) -> RedisConnection {
        if closed.load(ordering: .relaxed) { throw .closed() }
        if let startupError { throw startupError }
        // Fill the first connection up to a point: one connection carrying everything batches best
        // (fewer, larger round trips); others take over when it is saturated or stuck on a big reply.
        var best = connections[0]
        var bestLoad = best.outstandingRequests
        for candidate in connections.dropFirst() where bestLoad >= Self.spillOverLoad {
            let load = candidate.outstandingRequests
            if load < bestLoad {
                best = candidate
                bestLoad = load
            }
        }
        return best
    }

    /// Sends one command; an error reply throws ``RedisError/Kind/server`` naming the command.
    public func send(_ arguments: [String]) async throws(RedisError) -> RedisReply {
        try await connection().send(RedisCommand(arguments), timeout: nil)
    }

    /// Sends one command with binary arguments.
    public func send(bytes arguments: [[UInt8]]) async throws(RedisError) -> RedisReply {
        try await connection().send(RedisCommand(bytes: arguments), timeout: nil)
    }

    /// Sends one prepared command (see ``RedisConnection/send(_:timeout:)-(RedisCommand,_)``).
    public func send(_ command: RedisCommand, timeout: Duration? = nil) async throws(RedisError) -> RedisReply {
        try await connection().send(command, timeout: timeout)
    }

    /// Sends several commands in one round trip on one connection; error replies are returned as
    /// ``RedisReply/error(_:)`` elements.
    public func pipeline(_ commands: [[String]]) async throws(RedisError) -> [RedisReply] {
        try await connection().pipeline(commands.map { RedisCommand($0) }, timeout: nil)
    }

    /// ``pipeline(_:)-([[String]])`` with prepared commands.
    public func pipeline(_ commands: [RedisCommand], timeout: Duration? = nil) async throws(RedisError) -> [RedisReply] {
        try await connection().pipeline(commands, timeout: timeout)
    }

    /// Runs a Lua script with `EVALSHA`, transparently falling back to `EVAL` on `NOSCRIPT`.
    public func evalScript(_ script: RedisScript, keys: [String], arguments: [String]) async throws(RedisError) -> RedisReply {
        try await connection().evalScript(script, keys: keys, arguments: arguments)
    }

    /// ``evalScript(_:keys:arguments:)`` with binary arguments.
    public func evalScript(_ script: RedisScript, keys: [String], binaryArguments arguments: [[UInt8]]) async throws(RedisError) -> RedisReply {
        try await connection().evalScript(script, keys: keys, binaryArguments: arguments)
    }

    /// Loads the scripts on every pool connection now (`SCRIPT LOAD`) and again whenever one
    /// reconnects; dedicated connections created later load them too.
    public func preload(_ scripts: [RedisScript]) async throws(RedisError) {
        if closed.load(ordering: .relaxed) { throw .closed() }
        if let startupError { throw startupError }
        self.scripts.withLock { known in
            for script in scripts where !known.contains(where: { $0.sha1 == script.sha1 }) {
                known.append(script)
            }
        }
        for connection in connections {
            try await connection.preload(scripts)
        }
    }

    /// A new connection outside the pool for blocking commands; the caller must ``RedisConnection/close()`` it.
    /// It uses the same configuration and preloaded scripts and reconnects on its own.
    public func dedicatedConnection() async throws(RedisError) -> RedisConnection {
        if closed.load(ordering: .relaxed) { throw .closed() }
        return try await RedisConnection.connect(configuration, logger: logger, scripts: scripts.withLock { $0 })
    }

    /// The pool connections' counters added up (dedicated connections not included).
    public var statistics: RedisConnectionStatistics {
        connections.reduce(RedisConnectionStatistics()) { total, connection in
            let statistics = connection.statistics
            return RedisConnectionStatistics(
                roundTrips: total.roundTrips + statistics.roundTrips,
                commands: total.commands + statistics.commands,
                connects: total.connects + statistics.connects)
        }
    }

    /// Whether ``close()`` has been called.
    public var isClosed: Bool { closed.load(ordering: .relaxed) }

    /// Closes every pool connection (pending commands fail with ``RedisError/Kind/closed``) and waits
    /// for their threads to finish. Dedicated connections are closed by their owners. Idempotent.
    public func close() async {
        closed.store(true, ordering: .relaxed)
        for connection in connections {
            await connection.close()
        }
    }
}

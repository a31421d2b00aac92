import Logging
import Synchronization

/// The client to use: a pool of auto-pipelined ``RedisConnection``s that reconnect on their own.
///
/// Despite its name it is not one connection but a small pool of them (`RedisConnectionPool`
/// holds the mechanics): connections open lazily on first use; commands go to the first connection
/// until it has 16 requests outstanding, then to the least loaded one, so concurrent callers share
/// round trips (auto-pipelining) and a connection busy with a large reply does not stall the rest.
/// Blocking commands (`BZPOPMIN`, `XREAD BLOCK`) must not run on the pool — they would stall every
/// command queued behind them — use ``dedicatedConnection()`` for those.
public final class RedisClient: Sendable {
    /// The configuration every connection uses.
    public let configuration: RedisConfiguration
    private let logger: Logger
    private let pool: RedisConnectionPool
    /// Scripts to load on every pool connection and on dedicated connections made later.
    private let scripts: Mutex<[RedisScript]>

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
        self.pool = RedisConnectionPool(size: poolSize, configuration: configuration, logger: logger)
    }

    /// Convenience: a client for a URL such as `redis://:secret@127.0.0.1:6379/2`.
    public convenience init(url: String, poolSize: Int = 2, logger: Logger = Logger(label: "flowcraft.redis")) throws(RedisError) {
        self.init(configuration: try RedisConfiguration(url: url), poolSize: poolSize, logger: logger)
    }

    private func connection() throws(RedisError) -> RedisConnection {
        try pool.connection()
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
        try pool.checkUsable()
        self.scripts.withLock { known in
            for script in scripts where !known.contains(where: { $0.sha1 == script.sha1 }) {
                known.append(script)
            }
        }
        for connection in pool.connections {
            try await connection.preload(scripts)
        }
    }

    /// A new connection outside the pool for blocking commands; the caller must ``RedisConnection/close()`` it.
    /// It uses the same configuration and preloaded scripts and reconnects on its own.
    public func dedicatedConnection() async throws(RedisError) -> RedisConnection {
        if pool.isClosed { throw .closed() }
        return try await RedisConnection.connect(configuration, logger: logger, scripts: scripts.withLock { $0 })
    }

    /// The pool connections' counters added up (dedicated connections not included).
    public var statistics: RedisConnectionStatistics { pool.statistics }

    /// Whether ``close()`` has been called.
    public var isClosed: Bool { pool.isClosed }

    /// Closes every pool connection (pending commands fail with ``RedisError/Kind/closed``) and waits
    /// for their threads to finish. Dedicated connections are closed by their owners. Idempotent.
    public func close() async {
        await pool.close()
    }
}

import Flowcraft
import Logging

/// The client to use: a pool of auto-pipelined ``RedisConnection``s that reconnect on their own.
///
/// Despite its name it is not one connection but a small pool of them (`RedisConnectionPool`
/// holds the mechanics): connections open lazily on first use; commands go to the first connection
/// until it has 16 requests outstanding, then to the least loaded one, so concurrent callers share
/// round trips (auto-pipelining) and a connection busy with a large reply does not stall the rest.
/// Blocking commands (`BZPOPMIN`, `XREAD BLOCK`) must not run on the pool — they would stall every
/// command queued behind them — use ``dedicatedConnection()`` for those.
///
/// With ``RedisConfiguration/cluster`` set (a `redis+cluster://` URL) the client talks to a Redis
/// Cluster through the same API: one such pool per master, each command sent to the master owning
/// its key's hash slot (``RedisClusterSlot``), `MOVED`/`ASK` redirections followed, `TRYAGAIN` and
/// `CLUSTERDOWN` retried with back-off, and pipelines split by node and run concurrently. The keys of
/// one command (and of one script call) must share a slot — use a `{hash tag}` — or the command fails
/// before it is sent with a `CROSSSLOT` ``RedisError/Kind/server`` error naming the keys.
public final class RedisClient: Sendable {
    /// The configuration every connection uses.
    public let configuration: RedisConfiguration
    private let logger: Logger
    /// One pool (single server or Sentinel), or the cluster router; decided once at creation so the
    /// single-server path never touches cluster code.
    private let backend: Backend
    /// Scripts to load on every pool connection and on dedicated connections made later.
    private let scripts: PthreadMutex<[RedisScript]>

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
        self.scripts = PthreadMutex([])
        if let cluster = configuration.cluster {
            self.backend = .cluster(RedisClusterRouter(
                configuration: configuration, cluster: cluster, poolSize: poolSize, logger: logger))
        } else {
            self.backend = .single(RedisConnectionPool(size: poolSize, configuration: configuration, logger: logger))
        }
    }

    private enum Backend: Sendable {
        case single(RedisConnectionPool)
        case cluster(RedisClusterRouter)
    }

    /// Convenience: a client for a URL such as `redis://:secret@127.0.0.1:6379/2`.
    public convenience init(url: String, poolSize: Int = 2, logger: Logger = Logger(label: "flowcraft.redis")) throws(RedisError) {
        self.init(configuration: try RedisConfiguration(url: url), poolSize: poolSize, logger: logger)
    }

    /// Sends one command; an error reply throws ``RedisError/Kind/server`` naming the command.
    public func send(_ arguments: [String]) async throws(RedisError) -> RedisReply {
        try await send(RedisCommand(arguments), timeout: nil)
    }

    /// Sends one command with binary arguments.
    public func send(bytes arguments: [[UInt8]]) async throws(RedisError) -> RedisReply {
        try await send(RedisCommand(bytes: arguments), timeout: nil)
    }

    /// Sends one prepared command (see ``RedisConnection/send(_:timeout:)-(RedisCommand,_)``).
    public func send(_ command: RedisCommand, timeout: Duration? = nil) async throws(RedisError) -> RedisReply {
        switch backend {
        case .single(let pool): return try await pool.connection().send(command, timeout: timeout)
        case .cluster(let router): return try await router.send(command, timeout: timeout)
        }
    }

    /// Sends several commands in one round trip on one connection; error replies are returned as
    /// ``RedisReply/error(_:)`` elements. In cluster mode: one pipeline per node, run concurrently,
    /// replies in the order of `commands`.
    public func pipeline(_ commands: [[String]]) async throws(RedisError) -> [RedisReply] {
        try await pipeline(commands.map { RedisCommand($0) }, timeout: nil)
    }

    /// ``pipeline(_:)-([[String]])`` with prepared commands.
    public func pipeline(_ commands: [RedisCommand], timeout: Duration? = nil) async throws(RedisError) -> [RedisReply] {
        switch backend {
        case .single(let pool): return try await pool.connection().pipeline(commands, timeout: timeout)
        case .cluster(let router): return try await router.pipeline(commands, timeout: timeout)
        }
    }

    /// Runs a Lua script with `EVALSHA`, transparently falling back to `EVAL` on `NOSCRIPT`.
    public func evalScript(_ script: RedisScript, keys: [String], arguments: [String]) async throws(RedisError) -> RedisReply {
        try await send(script.evalSHACommand(keys: keys, arguments: arguments), timeout: nil)
    }

    /// ``evalScript(_:keys:arguments:)`` with binary arguments.
    public func evalScript(_ script: RedisScript, keys: [String], binaryArguments arguments: [[UInt8]]) async throws(RedisError) -> RedisReply {
        try await send(script.evalSHACommand(keys: keys, binaryArguments: arguments), timeout: nil)
    }

    /// Loads the scripts on every pool connection now (`SCRIPT LOAD`) and again whenever one
    /// reconnects; dedicated connections created later load them too.
    /// In cluster mode: on every master, and on masters that appear later (fail-over, resharding).
    public func preload(_ scripts: [RedisScript]) async throws(RedisError) {
        let pool: RedisConnectionPool
        switch backend {
        case .single(let single): pool = single
        case .cluster(let router): return try await router.preload(scripts)
        }
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
    /// In cluster mode it goes to any master: use ``dedicatedConnection(forKey:)`` for keyed commands.
    public func dedicatedConnection() async throws(RedisError) -> RedisConnection {
        switch backend {
        case .single(let pool):
            if pool.isClosed { throw .closed() }
            return try await RedisConnection.connect(configuration, logger: logger, scripts: scripts.withLock { $0 })
        case .cluster(let router):
            return try await router.dedicatedConnection(forKey: nil, scripts: router.scripts)
        }
    }

    /// A new connection outside the pool to the server that serves `key`, for blocking commands on
    /// it (`BZPOPMIN key timeout`); the caller must ``RedisConnection/close()`` it. Without a cluster
    /// this is ``dedicatedConnection()``. In a cluster it goes to the master of the key's slot and
    /// stays there: when a command on it fails with ``RedisError/isClusterRedirection`` (the slot
    /// moved, or a fail-over made the master a replica) or ``RedisError/isNodeDown``, close it and
    /// open a new one with this method.
    public func dedicatedConnection(forKey key: String) async throws(RedisError) -> RedisConnection {
        switch backend {
        case .single: return try await dedicatedConnection()
        case .cluster(let router): return try await router.dedicatedConnection(forKey: key, scripts: router.scripts)
        }
    }

    /// Tells the cluster client about an error seen on a connection from
    /// ``dedicatedConnection(forKey:)`` before reopening it, so the new connection goes to the slot's
    /// current master: a `MOVED` reply updates the slot at once, a node found down (or demoted)
    /// reloads the slot map. Does nothing without a cluster.
    func noteDedicatedConnectionFailure(_ error: RedisError) async {
        if case .cluster(let router) = backend { await router.noteDedicatedConnectionFailure(error) }
    }

    /// The pool connections' counters added up (dedicated connections not included); in cluster
    /// mode over every node's pool.
    public var statistics: RedisConnectionStatistics {
        switch backend {
        case .single(let pool): return pool.statistics
        case .cluster(let router): return router.statistics
        }
    }

    /// Whether ``close()`` has been called.
    public var isClosed: Bool {
        switch backend {
        case .single(let pool): return pool.isClosed
        case .cluster(let router): return router.isClosed
        }
    }

    /// Closes every pool connection (pending commands fail with ``RedisError/Kind/closed``) and waits
    /// for their threads to finish; in cluster mode every node's pool. Dedicated connections are
    /// closed by their owners. Idempotent.
    public func close() async {
        switch backend {
        case .single(let pool): await pool.close()
        case .cluster(let router): await router.close()
        }
    }

    /// The cluster router's redirect and retry counts (`nil` without a cluster).
    var clusterCounters: RedisClusterRouter.Counters? {
        if case .cluster(let router) = backend { return router.redirectCounters }
        return nil
    }

    /// The masters the cluster client currently knows (empty without a cluster or before first use).
    var clusterMasters: [RedisClusterConfiguration.Endpoint] {
        if case .cluster(let router) = backend { return router.knownMasters }
        return []
    }
}

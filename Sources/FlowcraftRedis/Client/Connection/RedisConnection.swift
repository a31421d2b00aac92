import Logging

/// One connection to Redis — TCP, unix socket or TLS, directly or through Sentinel — driven by its
/// own OS thread, never by Swift's cooperative pool (hiredis encodes and parses RESP).
///
/// Concurrent callers are **auto-pipelined**: everything submitted while a round trip is in flight
/// goes out together in the next write, and each caller is resumed with its own reply. Use one
/// connection from many tasks at once; that is what makes it fast.
///
/// The connection re-establishes itself after failures (server restart, timeout): commands in flight
/// fail with ``RedisError/Kind/connection`` (or `.timeout`), later commands reconnect (with capped
/// exponential back-off between failed attempts), authenticate, select the database and re-load
/// preloaded scripts first. A connection the server closed while it sat idle is noticed and replaced
/// before the next command goes out, so that command does not fail.
///
/// Cancellation of the calling task does not withdraw a command already submitted; close the
/// connection to abandon a blocking command.
public final class RedisConnection: Sendable {
    let thread: ConnectionThread

    /// The configuration this connection was made with.
    public var configuration: RedisConfiguration { thread.configuration }

    init(configuration: RedisConfiguration, logger: Logger, scripts: [RedisScript]) throws(RedisError) {
        thread = ConnectionThread(configuration: configuration, logger: logger, scripts: scripts)
        try thread.start()
    }

    deinit {
        thread.requestClose()
    }

    /// Opens a connection, authenticates and selects the database; throws if that fails.
    public static func connect(
        _ configuration: RedisConfiguration,
        logger: Logger = Logger(label: "flowcraft.redis")
    ) async throws(RedisError) -> RedisConnection {
        try await connect(configuration, logger: logger, scripts: [])
    }

    static func connect(
        _ configuration: RedisConfiguration, logger: Logger, scripts: [RedisScript]
    ) async throws(RedisError) -> RedisConnection {
        let connection = try RedisConnection(configuration: configuration, logger: logger, scripts: scripts)
        do {
            _ = try await connection.thread.submit([], timeout: nil).get()
        } catch {
            await connection.close()
            throw error
        }
        return connection
    }

    // MARK: - Commands

    /// Sends one command and returns its reply; an error reply throws ``RedisError/Kind/server``
    /// naming the command.
    public func send(_ arguments: [String]) async throws(RedisError) -> RedisReply {
        try await send(RedisCommand(arguments), timeout: nil)
    }

    /// Sends one command with binary arguments.
    public func send(bytes arguments: [[UInt8]]) async throws(RedisError) -> RedisReply {
        try await send(RedisCommand(bytes: arguments), timeout: nil)
    }

    /// Sends one prepared command. `timeout` replaces the configured command timeout for the round
    /// trip that carries it: blocking commands (`BZPOPMIN key 5`, `XREAD BLOCK 5000`) must pass their
    /// blocking time plus a margin, and `.zero` waits forever. A command sent with its own timeout is
    /// treated as blocking: ``close()`` interrupts it rather than waiting for it. Send blocking
    /// commands on a connection of their own (``RedisClient/dedicatedConnection()``), since
    /// everything queued behind them waits too.
    public func send(_ command: RedisCommand, timeout: Duration? = nil) async throws(RedisError) -> RedisReply {
        let replies = try await thread.submit([command], timeout: timeout).get()
        guard let reply = replies.first else {
            throw .protocol("no reply", command: command.name)
        }
        if case .error(let message) = reply {
            if command.script != nil, message.hasPrefix("NOSCRIPT"), let fallback = command.evalFallback() {
                return try await send(fallback, timeout: timeout)
            }
            throw .server(message, command: command.name)
        }
        return reply
    }

    /// Sends several commands in one round trip and returns their replies in order. Error replies
    /// come back as ``RedisReply/error(_:)`` elements, not thrown; `EVALSHA` commands built with
    /// ``RedisScript/evalSHACommand(keys:arguments:)`` that hit `NOSCRIPT` are re-run with `EVAL`.
    public func pipeline(_ commands: [[String]]) async throws(RedisError) -> [RedisReply] {
        try await pipeline(commands.map { RedisCommand($0) })
    }

    /// ``pipeline(_:)-([[String]])`` with prepared commands.
    public func pipeline(_ commands: [RedisCommand], timeout: Duration? = nil) async throws(RedisError) -> [RedisReply] {
        guard !commands.isEmpty else { return [] }
        var replies = try await thread.submit(commands, timeout: timeout).get()
        guard replies.count == commands.count else {
            throw .protocol("expected \(commands.count) replies, got \(replies.count)")
        }
        // A script flush or server restart: run the affected script calls again with EVAL.
        var retryIndices: [Int] = []
        var retries: [RedisCommand] = []
        for (index, reply) in replies.enumerated() {
            if case .error(let message) = reply, message.hasPrefix("NOSCRIPT"),
               let fallback = commands[index].evalFallback() {
                retryIndices.append(index)
                retries.append(fallback)
            }
        }
        if !retries.isEmpty {
            let retried = try await thread.submit(retries, timeout: timeout).get()
            for (position, index) in retryIndices.enumerated() where position < retried.count {
                replies[index] = retried[position]
            }
        }
        return replies
    }

    /// Runs a Lua script with `EVALSHA`, falling back to `EVAL` (which also caches it on the server)
    /// on `NOSCRIPT`. An error raised by the script throws ``RedisError/Kind/server`` naming it.
    public func evalScript(_ script: RedisScript, keys: [String], arguments: [String]) async throws(RedisError) -> RedisReply {
        try await send(script.evalSHACommand(keys: keys, arguments: arguments), timeout: nil)
    }

    /// ``evalScript(_:keys:arguments:)`` with binary arguments.
    public func evalScript(_ script: RedisScript, keys: [String], binaryArguments arguments: [[UInt8]]) async throws(RedisError) -> RedisReply {
        try await send(script.evalSHACommand(keys: keys, binaryArguments: arguments), timeout: nil)
    }

    /// Loads scripts now with `SCRIPT LOAD` and again after every reconnect.
    public func preload(_ scripts: [RedisScript]) async throws(RedisError) {
        guard !scripts.isEmpty else { return }
        thread.addPreloadedScripts(scripts)
        let replies = try await thread.submit(scripts.map { SCRIPT.LOAD(script: $0).encoded }, timeout: nil).get()
        for (script, reply) in zip(scripts, replies) {
            if case .error(let message) = reply {
                throw .server(message, command: "SCRIPT LOAD \(script.name)")
            }
        }
    }

    // MARK: - Lifecycle

    /// Whether ``close()`` has been called.
    public var isClosed: Bool { thread.isClosed }

    /// Whether the connection is currently established (it reconnects on the next command if not).
    public var isConnected: Bool { thread.isConnected }

    /// Closes the connection: queued commands fail with ``RedisError/Kind/closed``, a blocking
    /// command in flight is interrupted (and fails with `.closed`), a normal round trip in flight
    /// completes; returns once the connection thread has released the socket. Idempotent.
    public func close() async {
        await thread.close()
    }

    /// Counters since the connection was created: how well concurrent callers are being pipelined
    /// (``RedisConnectionStatistics/commandsPerRoundTrip``) and how often it (re)connected.
    public var statistics: RedisConnectionStatistics {
        RedisConnectionStatistics(
            roundTrips: thread.roundTrips.load(ordering: .relaxed),
            commands: thread.commandsSent.load(ordering: .relaxed),
            connects: thread.connectionsEstablished.load(ordering: .relaxed))
    }

    /// Number of submitted requests not yet answered (for pool balancing).
    var outstandingRequests: Int { thread.outstanding.load(ordering: .relaxed) }
}

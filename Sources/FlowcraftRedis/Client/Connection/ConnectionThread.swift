import Flowcraft
import Logging
import Synchronization

#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// The dedicated OS thread behind one ``RedisConnection``: it owns the ``RESPStream`` (RESP over
/// TCP, a unix socket or TLS) and auto-pipelines everything callers submit.
///
/// Callers append a ``PendingRequest`` to the queue under a mutex and suspend. The thread takes
/// *everything* queued since its last write, encodes it all into one buffer, writes
/// once, then reads the replies in order and resumes each caller as soon as its replies are in. So N
/// concurrent callers cost one write and one read wake-up per round trip, not N.
///
/// The thread (re)connects lazily: when a batch arrives and there is no context, it connects (after
/// the reconnection back-off; through Sentinel it first asks for the master's address),
/// authenticates, selects the database and loads the preloaded scripts. A failed connect fails that
/// batch; later batches try again. A `READONLY` or `UNBLOCKED` reply (the server was demoted to a
/// replica) fails its request as a connection error and drops the connection, so the next batch
/// reconnects to the current master.
///
/// Where the thread is in its life (sleeping, running a batch, closing…) is one ``ConnectionState``
/// value under the mutex; both sides change it only through its transitions and act on what they
/// return.
final class ConnectionThread: Sendable {
    struct State {
        /// Where the thread is (sleeping, busy with a batch, closing…) and the connected socket,
        /// published so `close()` can interrupt a blocking command.
        var phase = ConnectionState.initial
        var queue: [PendingRequest] = []
        var closeWaiters: [UnsafeContinuation<Void, Never>] = []
        var preloadedScripts: [RedisScript] = []
    }

    let configuration: RedisConfiguration
    let logger: Logger
    let state = PthreadMutex(State())
    private let wakeup = ThreadWakeup()
    /// Requests submitted and not yet completed, for the pool's least-loaded choice.
    let outstanding = Atomic<Int>(0)
    /// Counters behind ``RedisConnection/statistics``.
    let roundTrips = Atomic<Int>(0)
    let commandsSent = Atomic<Int>(0)
    let connectionsEstablished = Atomic<Int>(0)
    /// With Sentinel: the `+switch-master` listener shared by the process's connections to the master.
    private let sentinelWatcher: SentinelWatcher?

    init(configuration: RedisConfiguration, logger: Logger, scripts: [RedisScript]) {
        self.configuration = configuration
        self.logger = logger
        self.sentinelWatcher = SentinelWatcher.acquire(configuration, logger: logger)
        state.withLock { $0.preloadedScripts = scripts }
    }

    // MARK: - Caller side (any thread or task; never blocks beyond a short mutex hold)

    /// Starts the OS thread. Call once.
    func start() throws(RedisError) {
        let box = Unmanaged.passRetained(self).toOpaque()
        var thread = pthread_t()
        let status = pthread_create(&thread, nil, { argument in
            guard let argument else { return nil }
            let connectionThread = Unmanaged<ConnectionThread>.fromOpaque(argument).takeRetainedValue()
            connectionThread.run()
            return nil
        }, box)
        guard status == 0 else {
            Unmanaged<ConnectionThread>.fromOpaque(box).release()
            sentinelWatcher?.release()
            throw .connection("cannot start the connection thread (pthread_create: \(status))")
        }
        pthread_detach(thread)
    }

    /// Queues commands for the next round trip and suspends until their replies (one per command)
    /// arrive.
    func submit(_ commands: [RedisCommand], timeout: Duration?) async -> Result<[RedisReply], RedisError> {
        // Redis silently ignores an empty multi-bulk ("*0"): no reply would ever come back.
        for command in commands where command.argumentCount == 0 {
            return .failure(.protocol("a command needs at least one argument"))
        }
        outstanding.add(1, ordering: .relaxed)
        return await withUnsafeContinuation { continuation in
            let request = PendingRequest(commands: commands, timeout: timeout, continuation: continuation)
            let action = state.withLock { state in
                let action = state.phase.submit()
                if action != .reject { state.queue.append(request) }
                return action
            }
            switch action {
            case .enqueue: break
            case .enqueueAndWake: wakeup.signal()
            case .reject: complete(request, with: .failure(.closed(command: commands.first?.name)))
            }
        }
    }

    /// Adds scripts to load on every future (re)connect.
    func addPreloadedScripts(_ scripts: [RedisScript]) {
        state.withLock { state in
            for script in scripts where !state.preloadedScripts.contains(where: { $0.sha1 == script.sha1 }) {
                state.preloadedScripts.append(script)
            }
        }
    }

    var isClosed: Bool { state.withLock { $0.phase.isClosed } }
    var isConnected: Bool { state.withLock { $0.phase.isConnected } }

    /// Stops accepting commands, fails queued ones with `.closed`, interrupts a blocking command in
    /// flight, and lets the thread exit. Does not wait.
    func requestClose() {
        let failed: [PendingRequest] = state.withLock { state in
            guard case .failQueuedAndWake(let interrupt) = state.phase.requestClose() else { return [] }
            let queued = state.queue
            state.queue = []
            if let interrupt {
                // Under the lock, so the thread cannot have freed (and the OS reused) the descriptor.
                shutdownSocket(interrupt)
            }
            return queued
        }
        for request in failed {
            complete(request, with: .failure(.closed(command: request.commands.first?.name)))
        }
        wakeup.signal()
    }

    /// ``requestClose()`` and wait until the thread has freed the context and exited its loop.
    func close() async {
        requestClose()
        await withUnsafeContinuation { (continuation: UnsafeContinuation<Void, Never>) in
            let alreadyExited: Bool = state.withLock { state in
                if state.phase.hasExited { return true }
                state.closeWaiters.append(continuation)
                return false
            }
            if alreadyExited { continuation.resume() }
        }
    }

    private func complete(_ request: PendingRequest, with result: Result<[RedisReply], RedisError>) {
        outstanding.subtract(1, ordering: .relaxed)
        request.continuation.resume(returning: result)
    }

    // MARK: - Thread side (only ever runs on the dedicated thread)

    /// Idle time after which the socket is checked for a server-side close before the next write.
    static let idleCheckInterval: Duration = .milliseconds(500)

    private enum Step {
        case exit
        case sleep
        case run([PendingRequest])
    }

    private func run() {
        blockBrokenPipeSignal()
        var context: RESPStream?
        var backoff = ReconnectBackoff(
            baseDelay: configuration.reconnectBaseDelay, maxDelay: configuration.reconnectMaxDelay)
        var hasConnectedBefore = false
        var lastRoundTrip = ContinuousClock.now
        /// The watcher's failover count when the current connection was made.
        var connectedGeneration = 0

        loop: while true {
            let step: Step = state.withLock { state in
                // Commands sent with their own timeout are the blocking kind (BZPOPMIN, XREAD BLOCK):
                // close() interrupts those instead of waiting them out.
                switch state.phase.nextStep(
                    hasQueuedRequests: !state.queue.isEmpty, queuedBlocking: state.queue.contains { $0.timeout != nil }
                ) {
                case .exit: return .exit
                case .sleep: return .sleep
                case .runBatch:
                    let batch = state.queue
                    state.queue.removeAll(keepingCapacity: true)
                    return .run(batch)
                }
            }

            switch step {
            case .exit:
                break loop
            case .sleep:
                wakeup.wait()
            case .run(let batch):
                // A connection idle for a while may have been closed by the server (restart, idle
                // timeout, proxy): notice that before sending, so these commands go out on a fresh
                // connection instead of failing.
                if let idle = context, ContinuousClock.now - lastRoundTrip > Self.idleCheckInterval,
                   idle.hasPendingInputWhileIdle() {
                    logger.info("Idle Redis connection was closed by the server; reconnecting", metadata: [
                        "endpoint": "\(configuration.endpointDescription)",
                    ])
                    dropConnection()
                    context = nil
                }
                // Sentinel announced a new master: the old one may still accept (and later lose) writes.
                if context != nil, let watcher = sentinelWatcher,
                   watcher.generation.load(ordering: .acquiring) != connectedGeneration {
                    logger.info("Redis master changed; reconnecting", metadata: [
                        "endpoint": "\(configuration.endpointDescription)",
                    ])
                    dropConnection()
                    context = nil
                }
                if context == nil {
                    if let delay = backoff.remainingDelay(now: .now), !waitForBackoff(delay) {
                        fail(batch[...], with: .closed(command: nil))
                        continue loop
                    }
                    do {
                        connectedGeneration = sentinelWatcher?.generation.load(ordering: .acquiring) ?? 0
                        context = try establishConnection()
                        if backoff.consecutiveFailures > 0 || hasConnectedBefore {
                            logger.info("Reconnected to Redis", metadata: ["endpoint": "\(configuration.endpointDescription)"])
                        }
                        backoff.recordSuccess()
                        hasConnectedBefore = true
                    } catch {
                        backoff.recordFailure(now: .now)
                        let retryIn = backoff.delay(afterFailures: backoff.consecutiveFailures)
                        logger.debug("Redis connection attempt failed", metadata: [
                            "endpoint": "\(configuration.endpointDescription)",
                            "error": "\(error)", "retryIn": "\(retryIn)",
                        ])
                        // Nothing was written: a cluster client may safely send these elsewhere.
                        fail(batch[...], with: closingAware(error).markedNeverSent())
                        continue loop
                    }
                }
                guard let connected = context else { continue loop }
                if !execute(batch, on: connected) {
                    dropConnection()
                    context = nil
                }
                state.withLock { $0.phase.batchFinished() }
                lastRoundTrip = ContinuousClock.now
            }
        }

        if context != nil {
            dropConnection()
            context = nil
        }
        let (waiters, leftovers) = state.withLock { state in
            state.phase.threadExited()
            let waiters = state.closeWaiters
            state.closeWaiters = []
            let leftovers = state.queue
            state.queue = []
            return (waiters, leftovers)
        }
        fail(leftovers[...], with: .closed(command: nil))
        sentinelWatcher?.release()
        for waiter in waiters { waiter.resume() }
    }

    /// Sends a whole batch in one write and completes each request as its replies arrive.
    /// Returns false when the connection must be dropped.
    private func execute(_ batch: [PendingRequest], on context: RESPStream) -> Bool {
        // The round trip may take as long as its slowest request allows; `.zero` means no limit.
        var timeout: Duration?
        for request in batch {
            let limit = request.timeout ?? configuration.commandTimeout
            if let current = timeout {
                timeout = current == .zero || limit == .zero ? .zero : max(current, limit)
            } else {
                timeout = limit
            }
        }
        var commandCount = 0
        do {
            try context.setTimeout(timeout ?? configuration.commandTimeout)
            for request in batch {
                for command in request.commands {
                    try context.append(command)
                }
                commandCount += request.commands.count
            }
        } catch {
            fail(batch[...], with: closingAware(error))
            return false
        }
        if commandCount > 0 {
            roundTrips.add(1, ordering: .relaxed)
            commandsSent.add(commandCount, ordering: .relaxed)
        }

        var keepConnection = true
        for (index, request) in batch.enumerated() {
            var replies: [RedisReply] = []
            replies.reserveCapacity(request.commands.count)
            var demoted: String?
            for command in request.commands {
                do {
                    let reply = try context.readReply()
                    if case .error(let message) = reply, Self.meansDemotedMaster(message) {
                        demoted = message
                    }
                    replies.append(reply)
                } catch {
                    let failure = closingAware(RedisError(kind: error.kind, message: error.message, command: command.name))
                    if failure.kind != .closed {
                        logger.warning("Redis connection lost; reconnecting", metadata: [
                            "endpoint": "\(configuration.endpointDescription)", "error": "\(failure)",
                        ])
                    }
                    complete(request, with: .failure(failure))
                    // Later requests were sent on the same broken connection: their fate is unknown.
                    let rest = RedisError(
                        kind: failure.kind == .closed ? .closed : .connection,
                        message: "connection dropped while waiting for the reply (\(failure.message))")
                    fail(batch[(index + 1)...], with: rest)
                    return false
                }
            }
            if let demoted {
                // Nothing was written (a replica refuses every write): safe to retry on the new master.
                if keepConnection {
                    logger.warning("Redis server is no longer the master; reconnecting", metadata: [
                        "endpoint": "\(configuration.endpointDescription)", "reply": "\(demoted)",
                    ])
                }
                keepConnection = false
                complete(request, with: .failure(.connection(
                    "the server is no longer the master (\(demoted)); reconnecting to the current master",
                    command: request.commands.first?.name)))
            } else {
                complete(request, with: .success(replies))
            }
        }
        return keepConnection
    }

    /// Error replies from a server that was demoted to a replica under our feet (failover).
    static func meansDemotedMaster(_ message: String) -> Bool {
        message.hasPrefix("READONLY ") || message.hasPrefix("UNBLOCKED ")
    }

    /// Connects (through Sentinel when configured), authenticates, selects the database, names the
    /// client and loads preloaded scripts.
    private func establishConnection() throws(RedisError) -> RESPStream {
        let context: RESPStream
        if let sentinel = configuration.sentinel {
            context = try SentinelResolver(configuration: configuration, sentinel: sentinel, logger: logger)
                .connectToMaster { stream throws(RedisError) in try self.setUp(stream, verifyMaster: true) }
        } else {
            context = try RESPStream.connect(to: configuration.address, configuration: configuration)
            try setUp(context, verifyMaster: false)
        }
        try loadPreloadedScripts(on: context)

        let action = state.withLock { $0.phase.connected(socket: context.fileDescriptor) }
        if action == .discard { throw .closed(command: nil) }
        connectionsEstablished.add(1, ordering: .relaxed)
        return context
    }

    /// `AUTH`, `SELECT`, `CLIENT SETNAME` (and `ROLE` when `verifyMaster`) in one round trip. They
    /// go before any script is sent: Redis answers a large command from an unauthenticated client
    /// with "Protocol error: unauthenticated bulk length" and closes the connection, which would
    /// hide the `WRONGPASS` reply that explains it.
    func setUp(_ context: RESPStream, verifyMaster: Bool) throws(RedisError) {
        try context.setTimeout(configuration.commandTimeout)
        var setup: [RedisCommand] = []
        if let password = configuration.password {
            if let username = configuration.username {
                setup.append(RedisCommand(["AUTH", username, password]))
            } else {
                setup.append(RedisCommand(["AUTH", password]))
            }
        }
        if configuration.database != 0 {
            setup.append(RedisCommand(["SELECT", String(configuration.database)]))
        }
        if let clientName = configuration.clientName {
            setup.append(RedisCommand(["CLIENT", "SETNAME", clientName]))
        }
        if verifyMaster {
            setup.append(RedisCommand(["ROLE"]))
        }
        if setup.isEmpty && configuration.tls != nil && configuration.unixSocketPath == nil {
            // A TLS 1.3 server refuses a missing client certificate after the handshake, on the
            // first read: one round trip here reports it when connecting, not on some later command.
            setup.append(RedisCommand(["PING"]))
        }
        guard !setup.isEmpty else { return }
        for command in setup {
            try context.append(command)
        }
        var firstError: RedisError?
        for command in setup {
            let reply: RedisReply
            do {
                reply = try context.readReply()
            } catch {
                // The server may hang up after refusing AUTH: its reason is the better error.
                throw firstError ?? error
            }
            if case .error(let message) = reply {
                if firstError == nil { firstError = .server(Self.explainSetupError(message), command: command.name) }
            } else if command.name == "ROLE", firstError == nil,
                      case .array(let role) = reply, let kind = role.first?.string, kind != "master" {
                firstError = .connection("the server is a \(kind), not a master")
            }
        }
        if let firstError { throw firstError }
    }

    /// Loads the preloaded scripts (after ``setUp(_:verifyMaster:)`` succeeded).
    private func loadPreloadedScripts(on context: RESPStream) throws(RedisError) {
        let scripts = state.withLock { $0.preloadedScripts }
        guard !scripts.isEmpty else { return }
        for script in scripts {
            try context.append(SCRIPT.LOAD(script: script).encoded)
        }
        var authError: RedisError?
        for script in scripts {
            let reply: RedisReply
            do {
                reply = try context.readReply()
            } catch {
                throw authError ?? error
            }
            guard case .error(let message) = reply else { continue }
            if Self.meansUnauthenticated(message) {
                if authError == nil { authError = .server(Self.explainSetupError(message), command: "AUTH") }
            } else {
                logger.warning("Preloading a Redis script failed", metadata: [
                    "script": "\(script.name)", "error": "\(message)",
                ])
            }
        }
        if let authError { throw authError }
    }

    /// Whether an error reply says the connection has not authenticated.
    static func meansUnauthenticated(_ message: String) -> Bool {
        message.hasPrefix("NOAUTH") || message.contains("Protocol error: unauthenticated")
    }

    /// The server's reply, verbatim, with a hint for the authentication errors.
    static func explainSetupError(_ message: String) -> String {
        if message.hasPrefix("WRONGPASS") {
            return message + " (check the user name and password; in a URL, percent-encode special characters)"
        }
        if meansUnauthenticated(message) {
            return "NOAUTH the server requires a password and none was accepted (server said: \(message)); "
                + "set it in the URL (redis://:PASSWORD@host, percent-encoded) or in RedisConfiguration.password"
        }
        return message
    }

    /// Unpublishes the socket before the context (and its descriptor) is freed by the caller.
    private func dropConnection() {
        discardPendingBrokenPipeSignal()
        state.withLock { $0.phase.disconnected() }
    }

    /// Sleeps out the reconnection delay; returns false if the connection was closed meanwhile.
    private func waitForBackoff(_ delay: Duration) -> Bool {
        let deadline = ContinuousClock.now + delay
        while true {
            if state.withLock({ $0.phase.isClosed }) { return false }
            let now = ContinuousClock.now
            if now >= deadline { return true }
            wakeup.wait(timeout: deadline - now)
        }
    }

    private func fail(_ requests: ArraySlice<PendingRequest>, with error: RedisError) {
        for request in requests {
            var named = error
            if error.command == nil {
                named = RedisError(kind: error.kind, message: error.message, command: request.commands.first?.name)
                named.neverSent = error.neverSent
            }
            complete(request, with: .failure(named))
        }
    }

    /// While closing, every failure is reported as `.closed` (the socket was shut down on purpose).
    private func closingAware(_ error: RedisError) -> RedisError {
        guard error.kind != .closed, state.withLock({ $0.phase.isClosed }) else { return error }
        return .closed(command: error.command)
    }
}

/// Plain sockets are written with `send(MSG_NOSIGNAL)`, but OpenSSL writes TLS records with
/// `write(2)`, which raises SIGPIPE on a socket the server has closed — by default that kills the
/// process. Blocking the signal in this thread only (the process's handlers are untouched) makes the
/// write fail with EPIPE instead, reported as a connection error.
private func blockBrokenPipeSignal() {
    #if canImport(Glibc) || canImport(Musl)
    var set = sigset_t()
    sigemptyset(&set)
    sigaddset(&set, SIGPIPE)
    pthread_sigmask(SIG_BLOCK, &set, nil)
    #endif
}

/// Discards a SIGPIPE left pending on this thread by a failed write, so it is never delivered.
func discardPendingBrokenPipeSignal() {
    #if canImport(Glibc) || canImport(Musl)
    var pending = sigset_t()
    sigemptyset(&pending)
    guard sigpending(&pending) == 0, sigismember(&pending, SIGPIPE) == 1 else { return }
    var set = sigset_t()
    sigemptyset(&set)
    sigaddset(&set, SIGPIPE)
    var zero = timespec(tv_sec: 0, tv_nsec: 0)
    _ = sigtimedwait(&set, nil, &zero)
    #endif
}

private func shutdownSocket(_ socket: Int32) {
    #if canImport(Glibc)
    _ = shutdown(socket, Int32(SHUT_RDWR))
    #else
    _ = shutdown(socket, SHUT_RDWR)
    #endif
}

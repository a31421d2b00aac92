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

/// Listens to the sentinels' `+switch-master` announcements for one master and counts them, so
/// every connection to that master can notice a failover before its next write.
///
/// After a failover the old master keeps accepting writes until the sentinels turn it into a
/// replica — up to ten seconds later — and those writes are then discarded. Re-resolving only on
/// errors would keep writing to it all that time; instead each connection compares ``generation``
/// with the value it connected under before every round trip (one atomic load) and reconnects
/// through the sentinels when it changed.
///
/// One watcher (one OS thread, one subscribed sentinel connection) serves every connection of the
/// same configuration in the process; it stops when the last of them is closed. When its sentinel
/// connection breaks it subscribes on the next sentinel and compares the master's address with the
/// last one known, so a switch missed meanwhile still counts.
final class SentinelWatcher: Sendable {
    /// Failovers seen so far (a master address different from the previous one).
    let generation = Atomic<Int>(0)

    private struct State {
        var users = 0
        var stopping = false
        var socket: Int32 = -1
    }

    private let configuration: RedisConfiguration
    private let sentinel: RedisSentinelConfiguration
    private let logger: Logger
    private let state = PthreadMutex(State())
    private let wakeup = ThreadWakeup()

    private static let registry = PthreadMutex<[RedisConfiguration: SentinelWatcher]>([:])

    private init(configuration: RedisConfiguration, sentinel: RedisSentinelConfiguration, logger: Logger) {
        self.configuration = configuration
        self.sentinel = sentinel
        self.logger = logger
    }

    /// The running watcher for `configuration` (started on first use); pair with ``release()``.
    static func acquire(_ configuration: RedisConfiguration, logger: Logger) -> SentinelWatcher? {
        guard let sentinel = configuration.sentinel else { return nil }
        return registry.withLock { watchers in
            if let existing = watchers[configuration] {
                existing.state.withLock { $0.users += 1 }
                return existing
            }
            let watcher = SentinelWatcher(configuration: configuration, sentinel: sentinel, logger: logger)
            watcher.state.withLock { $0.users = 1 }
            guard watcher.start() else { return nil }
            watchers[configuration] = watcher
            return watcher
        }
    }

    /// Gives up one use; the last stops the thread.
    func release() {
        Self.registry.withLock { watchers in
            let last: Bool = state.withLock { state in
                state.users -= 1
                guard state.users <= 0 else { return false }
                state.stopping = true
                if state.socket >= 0 { _ = shutdown(state.socket, Int32(SHUT_RDWR)) }
                return true
            }
            if last {
                if watchers[configuration] === self { watchers[configuration] = nil }
                wakeup.signal()
            }
        }
    }

    private func start() -> Bool {
        let box = Unmanaged.passRetained(self).toOpaque()
        var thread = pthread_t()
        let status = pthread_create(&thread, nil, { argument in
            guard let argument else { return nil }
            Unmanaged<SentinelWatcher>.fromOpaque(argument).takeRetainedValue().run()
            return nil
        }, box)
        guard status == 0 else {
            Unmanaged<SentinelWatcher>.fromOpaque(box).release()
            return false
        }
        pthread_detach(thread)
        return true
    }

    private var isStopping: Bool { state.withLock { $0.stopping } }

    private func run() {
        var ignored = sigset_t()
        sigemptyset(&ignored)
        sigaddset(&ignored, SIGPIPE)
        pthread_sigmask(SIG_BLOCK, &ignored, nil)
        let resolver = SentinelResolver(configuration: configuration, sentinel: sentinel, logger: logger)
        var knownMaster: RedisAddress?
        var index = 0
        while !isStopping {
            let endpoint = sentinel.endpoints[index % max(1, sentinel.endpoints.count)]
            do {
                try watch(endpoint, resolver: resolver, knownMaster: &knownMaster)
            } catch {
                if isStopping { break }
                logger.debug("Sentinel subscription lost; trying the next sentinel", metadata: [
                    "sentinel": "\(endpoint)", "error": "\(error)",
                ])
                index += 1
                // A short pause between sentinels, a longer one after trying them all.
                _ = wakeup.wait(timeout: index % max(1, sentinel.endpoints.count) == 0 ? .seconds(1) : .milliseconds(100))
            }
        }
        state.withLock { $0.socket = -1 }
    }

    /// Subscribes to `+switch-master` on one sentinel and counts the switches of our master until
    /// the connection breaks (throws) or the watcher stops (returns).
    private func watch(
        _ endpoint: RedisSentinelConfiguration.Endpoint, resolver: SentinelResolver, knownMaster: inout RedisAddress?
    ) throws(RedisError) {
        let stream = try RESPStream.connect(to: .tcp(host: endpoint.host, port: endpoint.port), configuration: configuration)
        let stopping: Bool = state.withLock { state in
            if !state.stopping { state.socket = stream.fileDescriptor }
            return state.stopping
        }
        defer { state.withLock { $0.socket = -1 } }
        if stopping { return }
        try stream.setTimeout(max(configuration.connectTimeout, .milliseconds(1)))
        if let password = sentinel.password {
            try stream.append(RedisCommand(sentinel.username.map { ["AUTH", $0, password] } ?? ["AUTH", password]))
            if case .error(let message) = try stream.readReply() { throw .server(message, command: "AUTH") }
        }
        try stream.append(RedisCommand(["SUBSCRIBE", "+switch-master"]))
        if case .error(let message) = try stream.readReply() { throw .server(message, command: "SUBSCRIBE") }
        // Subscribed: anything from now on arrives as a message. Catch up on what may have been missed.
        let current = try resolver.masterAddress(from: endpoint)
        if let known = knownMaster, known != current { announce(current) }
        knownMaster = current
        try stream.setTimeout(.zero)
        while true {
            let reply = try stream.readReply()
            guard case .array(let parts) = reply, parts.count == 3, parts[0].string == "message",
                  let payload = parts[2].string
            else { continue }
            // "<master name> <old ip> <old port> <new ip> <new port>"
            let fields = payload.split(separator: " ")
            guard fields.count == 5, fields[0] == sentinel.masterName, let port = Int(fields[4]) else { continue }
            let address = RedisAddress.tcp(host: String(fields[3]), port: port)
            knownMaster = address
            announce(address)
        }
    }

    private func announce(_ master: RedisAddress) {
        generation.add(1, ordering: .releasing)
        logger.info("Sentinel switched the Redis master; connections will reconnect", metadata: [
            "master": "\(sentinel.masterName)", "address": "\(master)",
        ])
    }
}

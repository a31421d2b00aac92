import Logging
import Synchronization

/// The pool mechanics behind ``RedisClient``: a fixed set of lazily connecting
/// ``RedisConnection``s and the choice of the one that takes the next command.
///
/// Commands go to the first connection until it has ``spillOverLoad`` requests outstanding, then to
/// the least loaded one: one connection carrying everything batches best (fewer, larger round
/// trips); the others take over when it is saturated or stuck on a large reply.
final class RedisConnectionPool: Sendable {
    /// Outstanding requests on a connection before the pool prefers a less loaded one.
    static let spillOverLoad = 16

    let connections: [RedisConnection]
    private let closed = Atomic<Bool>(false)
    /// Thrown by every command when no pool connection could be created (thread start failure).
    private let startupError: RedisError?

    /// Creates `size` connections (at least one); none connects until its first command.
    init(size: Int, configuration: RedisConfiguration, logger: Logger) {
        var connections: [RedisConnection] = []
        var startupError: RedisError?
        for _ in 0..<max(1, size) {
            do {
                connections.append(try RedisConnection(configuration: configuration, logger: logger, scripts: []))
            } catch {
                startupError = error
            }
        }
        self.connections = connections
        self.startupError = connections.isEmpty ? (startupError ?? .connection("no connection could be created")) : nil
    }

    /// Throws when the pool is closed or has no connection.
    func checkUsable() throws(RedisError) {
        if closed.load(ordering: .relaxed) { throw .closed() }
        if let startupError { throw startupError }
    }

    /// The connection for the next command.
    func connection() throws(RedisError) -> RedisConnection {
        try checkUsable()
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

    /// The connections' counters added up.
    var statistics: RedisConnectionStatistics {
        connections.reduce(RedisConnectionStatistics()) { total, connection in
            let statistics = connection.statistics
            return RedisConnectionStatistics(
                roundTrips: total.roundTrips + statistics.roundTrips,
                commands: total.commands + statistics.commands,
                connects: total.connects + statistics.connects)
        }
    }

    /// Whether ``close()`` has been called.
    var isClosed: Bool { closed.load(ordering: .relaxed) }

    /// Closes every connection and waits for their threads to finish. Idempotent.
    func close() async {
        closed.store(true, ordering: .relaxed)
        for connection in connections {
            await connection.close()
        }
    }
}

import Flowcraft

/// A client's last read of the live workers' advertisements (``WorkerDirectory``), reused by the
/// conflicting-graph check of later starts while it is younger than
/// ``RollingDeployOptions/graphCheckMaxAge``. A value type: the rule is tested without Redis.
struct WorkerDirectoryCache: Sendable {
    private var entries: [String: WorkerDirectory.Entry] = [:]
    private var readAt: ContinuousClock.Instant?

    /// The advertisements read at most `maxAge` ago, while every one of them is still live at
    /// `nowMilliseconds` (the queue's clock); `nil` when a new read is due: none yet, too old,
    /// `maxAge` zero, or an advertisement in it lapsed. A lapsed copy says nothing about its
    /// worker: a live worker has refreshed its advertisement in Redis since (dropping it from the
    /// kept read would let a conflicting graph start once a `maxAge` longer than the advertisements'
    /// lifetime passed), a dead one's is gone from the next read.
    func fresh(
        now: ContinuousClock.Instant, maxAge: Duration, nowMilliseconds: Int
    ) -> [String: WorkerDirectory.Entry]? {
        guard let readAt, now - readAt < maxAge else { return nil }
        guard entries.values.allSatisfy({ $0.expires > nowMilliseconds }) else { return nil }
        return entries
    }

    /// Keeps `entries`, read at `now`.
    mutating func store(_ entries: [String: WorkerDirectory.Entry], at now: ContinuousClock.Instant) {
        self.entries = entries
        readAt = now
    }
}

/// The ``WorkerDirectoryCache`` shared by the copies of one ``WorkflowClient``.
final class SharedWorkerDirectoryCache: Sendable {
    private let cache = PthreadMutex(WorkerDirectoryCache())

    /// The live advertisements: the cached ones while fresh, else read now (and kept).
    func live(directory: WorkerDirectory, maxAge: Duration) async throws -> [String: WorkerDirectory.Entry] {
        let now = ContinuousClock.now
        let nowMilliseconds = QueueClock.nowMilliseconds()
        if let cached = cache.withLock({ $0.fresh(now: now, maxAge: maxAge, nowMilliseconds: nowMilliseconds) }) {
            return cached
        }
        let entries = try await directory.live(now: nowMilliseconds)
        cache.withLock { $0.store(entries, at: now) }
        return entries
    }
}

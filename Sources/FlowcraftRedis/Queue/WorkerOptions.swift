/// Settings of a ``Worker``; the defaults are BullMQ's.
public struct WorkerOptions: Sendable, Hashable {
    /// Jobs processed at the same time.
    public var concurrency: Int
    /// How long a job's lock lives without renewal (ms). A worker that stops renewing (crash, hang)
    /// loses its jobs to the stalled sweep after at most twice this plus the stalled interval.
    public var lockDuration: Int
    /// How often held locks are renewed (ms); `nil` = half the lock duration.
    public var lockRenewInterval: Int?
    /// How often the stalled sweep runs (ms).
    public var stalledInterval: Int
    /// Recoveries after which a stalled job fails instead of being retried.
    public var maxStalledCount: Int
    /// Longest idle wait on the marker before checking again (seconds).
    public var drainDelay: Double
    /// Failed-attempt entries kept in a job's `stacktrace`.
    public var stackTraceLimit: Int
    /// Key prefix of the queue, `bull` by default.
    public var prefix: String
    /// The worker's name, written to `pb` of the jobs it takes; a random one when `nil`.
    public var name: String?
    /// Retention of completed jobs whose own options do not set `removeOnComplete` (as BullMQ's
    /// worker option); `nil` keeps them all.
    public var removeOnComplete: JobRetention?
    /// Retention of failed jobs whose own options do not set `removeOnFail`; `nil` keeps them all.
    public var removeOnFail: JobRetention?

    /// Options; the defaults follow BullMQ's (concurrency 1, 30 s locks and stall checks, one stall
    /// allowed).
    public init(
        concurrency: Int = 1, lockDuration: Int = 30_000, lockRenewInterval: Int? = nil,
        stalledInterval: Int = 30_000, maxStalledCount: Int = 1, drainDelay: Double = 5,
        stackTraceLimit: Int = 10, prefix: String = "bull", name: String? = nil,
        removeOnComplete: JobRetention? = nil, removeOnFail: JobRetention? = nil
    ) {
        self.concurrency = concurrency
        self.lockDuration = lockDuration
        self.lockRenewInterval = lockRenewInterval
        self.stalledInterval = stalledInterval
        self.maxStalledCount = maxStalledCount
        self.drainDelay = drainDelay
        self.stackTraceLimit = stackTraceLimit
        self.prefix = prefix
        self.name = name
        self.removeOnComplete = removeOnComplete
        self.removeOnFail = removeOnFail
    }

    func validated() throws -> WorkerOptions {
        guard concurrency >= 1 else { throw QueueError("concurrency must be ≥ 1, got \(concurrency)", cause: .invalidWorkerOptions) }
        guard lockDuration >= 10 else { throw QueueError("lockDuration must be ≥ 10 ms, got \(lockDuration)", cause: .invalidWorkerOptions) }
        if let lockRenewInterval, lockRenewInterval < 1 || lockRenewInterval >= lockDuration {
            throw QueueError("lockRenewInterval must be in 1..<lockDuration, got \(lockRenewInterval)", cause: .invalidWorkerOptions)
        }
        guard stalledInterval >= 10 else {
            throw QueueError("stalledInterval must be ≥ 10 ms, got \(stalledInterval)", cause: .invalidWorkerOptions)
        }
        guard maxStalledCount >= 0 else { throw QueueError("maxStalledCount must be ≥ 0", cause: .invalidWorkerOptions) }
        guard drainDelay > 0, drainDelay <= 60 else { throw QueueError("drainDelay must be in (0, 60] s", cause: .invalidWorkerOptions) }
        guard stackTraceLimit >= 0 else { throw QueueError("stackTraceLimit must be ≥ 0", cause: .invalidWorkerOptions) }
        guard !prefix.isEmpty else { throw QueueError("the key prefix must not be empty", cause: .invalidName) }
        return self
    }
}

/// What the Queues page shows of one queue: job counts by state, the workers connected, and the
/// jobs finished per time bucket over the last minutes.
public struct DashboardQueueSnapshot: Sendable, Hashable, Codable {
    /// The queue's name.
    public var name: String
    /// Jobs waiting.
    public var waiting: Int
    /// Jobs running.
    public var active: Int
    /// Jobs delayed (retries, sleeps).
    public var delayed: Int
    /// Jobs waiting with a priority.
    public var prioritized: Int
    /// Failed jobs kept.
    public var failed: Int
    /// Completed jobs kept.
    public var completed: Int
    /// Jobs held in the paused list while the queue is paused.
    public var paused: Int
    /// Names of the live workers serving the queue.
    public var workers: [String]
    /// Finished jobs per bucket, oldest first (empty when the source keeps no throughput).
    public var throughput: [ThroughputBucket]
    /// For one shard queue of a sharded queue (`{orders.07}`), the logical queue it belongs to
    /// (`orders`); `nil` for a queue in the single layout.
    public var shardOf: String?

    /// A snapshot of one queue.
    public init(
        name: String, waiting: Int = 0, active: Int = 0, delayed: Int = 0, prioritized: Int = 0, failed: Int = 0,
        completed: Int = 0, paused: Int = 0, workers: [String] = [], throughput: [ThroughputBucket] = [],
        shardOf: String? = nil
    ) {
        self.name = name
        self.waiting = waiting
        self.active = active
        self.delayed = delayed
        self.prioritized = prioritized
        self.failed = failed
        self.completed = completed
        self.paused = paused
        self.workers = workers
        self.throughput = throughput
        self.shardOf = shardOf
    }
}

/// Jobs that finished in one time bucket.
public struct ThroughputBucket: Sendable, Hashable, Codable {
    /// Start of the bucket (ms since the Unix epoch).
    public var start: Int64
    /// Jobs completed in the bucket.
    public var completed: Int
    /// Jobs failed in the bucket.
    public var failed: Int

    /// A bucket starting at `start` (ms since the Unix epoch).
    public init(start: Int64, completed: Int, failed: Int) {
        self.start = start
        self.completed = completed
        self.failed = failed
    }
}

/// Where the Queues page reads its figures (``RedisDashboardQueues`` for a Redis queue).
public protocol DashboardQueueSource: Sendable {
    /// The queues shown, in order.
    var queueNames: [String] { get }
    /// The current figures of `queue` (one of ``queueNames``).
    func snapshot(of queue: String) async throws -> DashboardQueueSnapshot
}

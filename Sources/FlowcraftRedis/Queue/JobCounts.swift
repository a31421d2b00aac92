/// The number of jobs in each state of a queue.
public struct JobCounts: Sendable, Hashable {
    /// Jobs ready to run.
    public var waiting = 0
    /// Jobs a worker is running.
    public var active = 0
    /// Completed jobs kept by retention.
    public var completed = 0
    /// Failed jobs kept by retention.
    public var failed = 0
    /// Jobs waiting for their delay or backoff.
    public var delayed = 0
    /// Ready jobs with a priority.
    public var prioritized = 0
    /// Jobs waiting in a paused queue.
    public var paused = 0
    /// Jobs waiting for child jobs (BullMQ flows).
    public var waitingChildren = 0

    /// All counts zero.
    public init() {}
}

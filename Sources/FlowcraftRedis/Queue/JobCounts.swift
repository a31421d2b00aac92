/// The number of jobs in each state of a queue.
public struct JobCounts: Sendable, Hashable {
    public var waiting = 0
    public var active = 0
    public var completed = 0
    public var failed = 0
    public var delayed = 0
    public var prioritized = 0
    public var paused = 0
    public var waitingChildren = 0

    public init() {}
}

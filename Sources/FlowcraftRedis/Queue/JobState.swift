/// Where a job is in its life cycle, as BullMQ names the states.
public enum JobState: String, Sendable, Hashable {
    /// Completed (kept by retention).
    case completed
    /// Failed for good (kept by retention).
    case failed
    /// Waiting for its delay or backoff.
    case delayed
    /// Ready, ordered by priority.
    case prioritized
    /// A worker is running it.
    case active
    /// Ready to run.
    case waiting
    /// Ready, in a paused queue.
    case paused
    /// Waiting for child jobs (BullMQ flows).
    case waitingChildren = "waiting-children"
    /// No such job (or it was removed).
    case unknown
}

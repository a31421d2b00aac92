/// Where a job is in its life cycle, as BullMQ names the states.
public enum JobState: String, Sendable, Hashable {
    case completed, failed, delayed, prioritized, active, waiting, paused
    case waitingChildren = "waiting-children"
    /// No such job (or it was removed).
    case unknown
}

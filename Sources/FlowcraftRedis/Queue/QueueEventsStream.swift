/// The queue's events stream (`bull:<queue>:events`), which every state change appends to.
public enum QueueEventsStream {
    /// The stream's approximate cap (`XADD … MAXLEN ~`) when the queue's meta hash names none
    /// (`opts.maxLenEvents`). The Lua scripts use the same value (`{{DEFAULT_EVENTS_CAP}}`).
    public static let defaultMaximumLength = 10_000
}

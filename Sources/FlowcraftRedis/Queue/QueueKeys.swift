/// The Redis key names of one queue: `<prefix>:<queue>:<suffix>`.
struct QueueKeys: Sendable, Hashable {
    /// `<prefix>:<queue>:`; a job's hash is this followed by its id.
    let base: String

    init(prefix: String, queueName: String) {
        base = "\(prefix):\(queueName):"
    }

    subscript(suffix: String) -> String { base + suffix }

    var wait: String { base + "wait" }
    var active: String { base + "active" }
    var paused: String { base + "paused" }
    var prioritized: String { base + "prioritized" }
    var delayed: String { base + "delayed" }
    var completed: String { base + "completed" }
    var failed: String { base + "failed" }
    var waitingChildren: String { base + "waiting-children" }
    var stalled: String { base + "stalled" }
    var stalledCheck: String { base + "stalled-check" }
    var id: String { base + "id" }
    var meta: String { base + "meta" }
    var events: String { base + "events" }
    var marker: String { base + "marker" }
    var priorityCounter: String { base + "pc" }

    func job(_ id: String) -> String { base + id }

    /// The keys the fetch-capable scripts expect first: wait, active, prioritized, delayed, events,
    /// meta, pc, marker, stalled.
    /// The names of ``fetchKeys``, in order (the scripts' contracts).
    static let fetchKeyNames = ["wait", "active", "prioritized", "delayed", "events", "meta", "pc", "marker", "stalled"]

    var fetchKeys: [String] {
        [wait, active, prioritized, delayed, events, meta, priorityCounter, marker, stalled]
    }
}

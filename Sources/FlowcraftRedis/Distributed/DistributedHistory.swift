/// Whether distributed runs record their history (``RedisRunHistory`` reads it) and how much of it
/// each run keeps.
///
/// On by default: each node's record is written by the script call that commits the node (no extra
/// round trip), into a stream per run capped at ``maximumEventsPerRun`` (the oldest events are dropped
/// first; the cap is approximate, as Redis's `MAXLEN ~` trims whole stream nodes of up to 100
/// entries). The history expires with the run's state (``DistributedOptions/stateTTLSeconds``).
public struct DistributedHistory: Sendable, Hashable {
    /// Events kept per run (the stream's `MAXLEN ~`); 0 records nothing.
    public var maximumEventsPerRun: Int

    /// The default cap of events per run.
    public static let defaultMaximumEventsPerRun = 10_000

    /// History on, with at most `maximumEventsPerRun` events per run (at least 1).
    public static func on(maximumEventsPerRun: Int = defaultMaximumEventsPerRun) -> DistributedHistory {
        DistributedHistory(maximumEventsPerRun: max(1, maximumEventsPerRun))
    }

    /// No history: nothing is recorded and `flowcraft runs`/`inspect` find nothing.
    public static let off = DistributedHistory(maximumEventsPerRun: 0)

    public var isOn: Bool { maximumEventsPerRun > 0 }

    private init(maximumEventsPerRun: Int) { self.maximumEventsPerRun = maximumEventsPerRun }
}

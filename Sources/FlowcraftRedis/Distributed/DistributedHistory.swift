/// Whether distributed runs record their history (``RedisRunHistory`` reads it) and how much of it
/// each run keeps.
///
/// On by default: each node's record is written by the script call that commits the node (no extra
/// round trip), into a list per run (`flowcraft:history:<runId>`) capped at ``maximumEventsPerRun``:
/// once a run passes the cap by a tenth of it (at most 100 events) its oldest events are dropped
/// down to the cap, so trimming is rare and a run never holds more than cap + min(cap/10, 100)
/// events. The history expires with the run's state (``DistributedOptions/stateTTLSeconds``).
public struct DistributedHistory: Sendable, Hashable {
    /// Events kept per run (see the type's discussion); 0 records nothing.
    public var maximumEventsPerRun: Int

    /// The default cap of events per run.
    public static let defaultMaximumEventsPerRun = 10_000

    /// History on, with at most `maximumEventsPerRun` events per run (at least 1).
    public static func on(maximumEventsPerRun: Int = defaultMaximumEventsPerRun) -> DistributedHistory {
        DistributedHistory(maximumEventsPerRun: max(1, maximumEventsPerRun))
    }

    /// No history: nothing is recorded and `flowcraft runs`/`inspect` find nothing.
    public static let off = DistributedHistory(maximumEventsPerRun: 0)

    /// Whether history is recorded.
    public var isOn: Bool { maximumEventsPerRun > 0 }

    private init(maximumEventsPerRun: Int) { self.maximumEventsPerRun = maximumEventsPerRun }
}

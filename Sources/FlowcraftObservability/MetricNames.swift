/// The labels and dimension names Flowcraft's metrics are recorded under.
///
/// Every label starts with a prefix (`flowcraft` by default, joined with `_`):
///
/// | label | kind | dimensions | what |
/// | --- | --- | --- | --- |
/// | `flowcraft_node_duration` | Timer (ns) | `blueprint`, `node`, `outcome` | one node attempt, middleware inside it included |
/// | `flowcraft_node_attempts_total` | Counter | `blueprint`, `node` | node attempts started |
/// | `flowcraft_node_failures_total` | Counter | `blueprint`, `node` | attempts that failed (error or timeout; not cancellation) |
/// | `flowcraft_node_retries_total` | Counter | `blueprint`, `node` | attempts after the first (attempt > 1) |
/// | `flowcraft_runs_started_total` | Counter | `blueprint` | `workflow:start` events |
/// | `flowcraft_runs_resumed_total` | Counter | `blueprint` | `workflow:resume` events |
/// | `flowcraft_runs_paused_total` | Counter | `blueprint` | `workflow:pause` events |
/// | `flowcraft_runs_finished_total` | Counter | `blueprint`, `status` | `workflow:finish` with a final status |
///
/// `outcome` is one of ``NodeAttemptOutcome``'s raw values; `status` is `completed`, `failed` or
/// `cancelled` (a paused run counts under `runs_paused`, not as finished).
public struct MetricNames: Sendable, Hashable {
    /// Dimension naming the blueprint id.
    public static let blueprintDimension = "blueprint"
    /// Dimension naming the node id.
    public static let nodeDimension = "node"
    /// Dimension naming how a node attempt ended.
    public static let outcomeDimension = "outcome"
    /// Dimension naming a finished run's status.
    public static let statusDimension = "status"

    /// What every label starts with, e.g. `flowcraft` or `myapp_flowcraft`.
    public let prefix: String
    // Stored, so every metric made with these names shares one copy of each label.
    /// `<prefix>_node_duration`: one node attempt (timer, nanoseconds).
    public let nodeDuration: String
    /// `<prefix>_node_attempts_total`: node attempts started.
    public let nodeAttempts: String
    /// `<prefix>_node_failures_total`: attempts that failed.
    public let nodeFailures: String
    /// `<prefix>_node_retries_total`: attempts after the first.
    public let nodeRetries: String
    /// `<prefix>_runs_started_total`: runs started.
    public let runsStarted: String
    /// `<prefix>_runs_resumed_total`: runs resumed.
    public let runsResumed: String
    /// `<prefix>_runs_paused_total`: runs paused.
    public let runsPaused: String
    /// `<prefix>_runs_finished_total`: runs finished, by status.
    public let runsFinished: String

    /// Labels `prefix_…`, or without a prefix when `prefix` is empty.
    public init(prefix: String = "flowcraft") {
        func label(_ name: String) -> String { prefix.isEmpty ? name : prefix + "_" + name }
        self.prefix = prefix
        nodeDuration = label("node_duration")
        nodeAttempts = label("node_attempts_total")
        nodeFailures = label("node_failures_total")
        nodeRetries = label("node_retries_total")
        runsStarted = label("runs_started_total")
        runsResumed = label("runs_resumed_total")
        runsPaused = label("runs_paused_total")
        runsFinished = label("runs_finished_total")
    }
}

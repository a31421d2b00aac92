/// Where a run stands, as any engine reports it (`WorkflowStarting.runState`).
public struct WorkflowRunState: Sendable, Hashable {
    /// A run's phase: `running` and `awaiting` are not final.
    public enum Status: String, Sendable, Hashable {
        /// Nodes are running or queued.
        case running
        /// Paused on `wait`, `sleep` or a paused subflow, until resumed or woken.
        case awaiting
        /// Finished successfully.
        case completed
        /// Finished with a failure (`reason`, `nodeID`).
        case failed
        /// Cancelled before it finished.
        case cancelled

        /// Completed, failed or cancelled: nothing more will happen.
        public var isFinal: Bool { self == .completed || self == .failed || self == .cancelled }
    }

    /// The run's phase.
    public var status: Status
    /// The run's final context once it completed (empty while it runs).
    public var context: [String: JSONValue]
    /// Why the run failed or was cancelled.
    public var reason: String?
    /// The node whose failure failed the run.
    public var nodeID: String?

    /// A state; engines build it.
    public init(status: Status, context: [String: JSONValue] = [:], reason: String? = nil, nodeID: String? = nil) {
        self.status = status
        self.context = context
        self.reason = reason
        self.nodeID = nodeID
    }
}

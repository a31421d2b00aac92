/// Where a run stands, as any engine reports it (`WorkflowStarting.runState`).
public struct WorkflowRunState: Sendable, Hashable {
    /// A run's phase: `running` and `awaiting` are not final.
    public enum Status: String, Sendable, Hashable {
        case running, awaiting, completed, failed, cancelled

        /// Completed, failed or cancelled: nothing more will happen.
        public var isFinal: Bool { self == .completed || self == .failed || self == .cancelled }
    }

    public var status: Status
    /// The run's final context once it completed (empty while it runs).
    public var context: [String: JSONValue]
    /// Why the run failed or was cancelled.
    public var reason: String?
    /// The node whose failure failed the run.
    public var nodeID: String?

    public init(status: Status, context: [String: JSONValue] = [:], reason: String? = nil, nodeID: String? = nil) {
        self.status = status
        self.context = context
        self.reason = reason
        self.nodeID = nodeID
    }
}

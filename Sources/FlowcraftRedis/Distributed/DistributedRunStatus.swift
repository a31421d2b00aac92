import FlowcraftModel

/// A distributed run's final result, as stored in `workflow:status:<runId>`:
/// `{"status": "completed", "payload": {…context…}}` or `{"status": "failed", "reason": "…"}`.
public struct DistributedRunStatus: Sendable, Hashable {
    public enum Status: String, Sendable, Hashable {
        case completed, failed, cancelled
        /// Not final: a `wait` node holds the run until `resume`.
        case awaiting
        /// Not final: work is in flight.
        case running
    }

    public var status: Status
    /// The final context of a completed run.
    public var payload: JSONValue?
    /// Why a run failed or was cancelled.
    public var reason: String?
    /// The node whose failure failed the run.
    public var nodeID: String?
    /// Attempts the failed node made.
    public var attempts: Int?

    public init(status: Status, payload: JSONValue? = nil, reason: String? = nil, nodeID: String? = nil) {
        self.status = status
        self.payload = payload
        self.reason = reason
        self.nodeID = nodeID
    }

    /// The final context as a dictionary (the run's context when it ended).
    public var context: [String: JSONValue] { payload?.objectValue ?? [:] }

    /// Reads the stored JSON; `nil` when it is not a status object.
    init?(json text: String) {
        guard let value = try? JSONText.parse(text), let name = value["status"]?.stringValue,
            let status = Status(rawValue: name)
        else { return nil }
        self.init(
            status: status, payload: value["payload"], reason: value["reason"]?.stringValue,
            nodeID: value["nodeId"]?.stringValue)
        attempts = value["attempts"]?.intValue
    }

    /// The JSON form, as stored.
    public var json: JSONValue {
        var members: [String: JSONValue] = ["status": .string(status.rawValue)]
        if let payload { members["payload"] = payload }
        if let reason { members["reason"] = .string(reason) }
        if let nodeID { members["nodeId"] = .string(nodeID) }
        if let attempts { members["attempts"] = .int(attempts) }
        return .object(members)
    }
}

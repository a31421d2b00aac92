import Flowcraft
import FlowcraftModel

/// A distributed run's final result, as stored in `workflow:status:<runId>`:
/// `{"status": "completed", "payload": {…context…}}` or `{"status": "failed", "reason": "…"}`.
public struct DistributedRunStatus: Sendable, Hashable {
    /// A run's status as the status key stores it.
    public enum Status: String, Sendable, Hashable {
        /// Final: the run completed.
        case completed
        /// Final: a node failed with no fallback.
        case failed
        /// Final: the run was cancelled.
        case cancelled
        /// Not final: a `wait` node holds the run until `resume`.
        case awaiting
        /// Not final: work is in flight.
        case running
    }

    /// Where the run stands.
    public var status: Status
    /// The final context of a completed run.
    public var payload: JSONValue?
    /// Why a run failed or was cancelled.
    public var reason: String?
    /// The node whose failure failed the run.
    public var nodeID: String?
    /// Attempts the failed node made.
    public var attempts: Int?
    /// A run failed by a join that can never fire: the join's predecessors that arrived (`nodeID` is
    /// the join), and the blueprint the run ran, so the full message can be rendered from it.
    public var arrived: [String]?
    var blueprintID: String?
    var blueprintVersion: String?
    /// For an `awaiting` run read with ``WorkflowClient/status(_:)``: the nodes it waits on, with the
    /// actions each `wait` node's edges route (never stored: read from the run's awaiting entries).
    public var waitingOn: [WaitingNode]?

    /// A status record.
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
        arrived = value["arrived"]?.arrayValue?.compactMap(\.stringValue)
        blueprintID = value["blueprintId"]?.stringValue
        blueprintVersion = value["blueprintVersion"]?.stringValue.flatMap { $0.isEmpty ? nil : $0 }
        waitingOn = value["waitingOn"]?.arrayValue?.compactMap(WaitingNode.init(json:))
    }

    /// A stuck join's failure with its message rendered from the run's blueprint
    /// (`RoutingRules.stuckJoinMessage`: the join's YAML line, who arrived and who never will); other
    /// statuses unchanged. The completion script, which has no blueprint, stores the short form.
    func renderingStuckJoin(with catalog: BlueprintCatalog) -> DistributedRunStatus {
        guard status == .failed, let arrived, let join = nodeID, let blueprintID,
            reason?.hasPrefix(RoutingRules.stuckJoinCode) == true,
            let plan = try? catalog.blueprint(id: blueprintID, version: blueprintVersion), let n = plan.nodeIndex[join]
        else { return self }
        var rendered = self
        rendered.reason = RoutingRules.stuckJoinMessage(plan, join: n, arrived: Set(arrived.compactMap { plan.nodeIndex[$0] }))
        return rendered
    }

    /// The JSON form, as stored.
    public var json: JSONValue {
        var members: [String: JSONValue] = ["status": .string(status.rawValue)]
        if let payload { members["payload"] = payload }
        if let reason { members["reason"] = .string(reason) }
        if let nodeID { members["nodeId"] = .string(nodeID) }
        if let attempts { members["attempts"] = .int(attempts) }
        if let arrived { members["arrived"] = .array(arrived.map(JSONValue.string)) }
        if let blueprintID { members["blueprintId"] = .string(blueprintID) }
        if let blueprintVersion { members["blueprintVersion"] = .string(blueprintVersion) }
        if let waitingOn { members["waitingOn"] = .array(waitingOn.map(\.json)) }
        return .object(members)
    }
}

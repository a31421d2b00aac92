import Flowcraft

/// A node a paused distributed run waits on, as ``WorkflowClient/status(_:)`` reports it in
/// ``DistributedRunStatus/waitingOn``: `{"runId", "nodeId", "iteration", "kind", "actions"?, "childRunId"?}`.
public struct WaitingNode: Sendable, Hashable {
    /// What holds the node.
    public enum Kind: String, Sendable, Hashable {
        /// A `wait` node: `resume` completes it with an action.
        case wait
        /// A `subflow` node whose child run is paused (its own waiting nodes follow it in the list).
        case subflow
    }

    /// The run that holds the node (the run asked about, or a child run of one of its subflow nodes).
    public var runID: String
    /// The waiting node.
    public var nodeID: String
    /// The loop iteration of the node's entry (0 outside loops).
    public var iteration: Int
    /// Whether it is a `wait` node or a `subflow` node whose child waits.
    public var kind: Kind
    /// For a `wait` node: the actions its edges route (`RoutingRules.routedActions`), in edge order;
    /// `nil` when the client's catalog lacks the run's blueprint.
    public var actions: [String]?
    /// For a `wait` node: whether an edge without an action takes any other action (or none).
    public var routesAnyAction: Bool?
    /// For a `subflow` node: its child run.
    public var childRunID: String?

    /// A waiting node as `status` reports it.
    public init(
        runID: String, nodeID: String, iteration: Int = 0, kind: Kind, actions: [String]? = nil,
        routesAnyAction: Bool? = nil, childRunID: String? = nil
    ) {
        self.runID = runID
        self.nodeID = nodeID
        self.iteration = iteration
        self.kind = kind
        self.actions = actions
        self.routesAnyAction = routesAnyAction
        self.childRunID = childRunID
    }

    /// The JSON form.
    public var json: JSONValue {
        var members: [String: JSONValue] = [
            "runId": .string(runID), "nodeId": .string(nodeID), "iteration": .int(iteration), "kind": .string(kind.rawValue),
        ]
        if let actions { members["actions"] = .array(actions.map(JSONValue.string)) }
        if let routesAnyAction { members["routesAnyAction"] = .bool(routesAnyAction) }
        if let childRunID { members["childRunId"] = .string(childRunID) }
        return .object(members)
    }

    /// Reads the JSON form; `nil` when it is not one.
    init?(json value: JSONValue) {
        guard let runID = value["runId"]?.stringValue, let nodeID = value["nodeId"]?.stringValue,
            let kind = value["kind"]?.stringValue.flatMap(Kind.init(rawValue:))
        else { return nil }
        self.init(
            runID: runID, nodeID: nodeID, iteration: value["iteration"]?.intValue ?? 0, kind: kind,
            actions: value["actions"]?.arrayValue?.compactMap(\.stringValue), routesAnyAction: value["routesAnyAction"]?.boolValue,
            childRunID: value["childRunId"]?.stringValue)
    }
}

extension WorkflowClient {
    /// The nodes a paused run waits on: its awaiting entries, sorted, each `subflow` entry followed by
    /// its child run's (depth first). Wait nodes carry the actions their edges route when the catalog
    /// has the run's blueprint.
    func waitingNodes(of runID: String, depth: Int = 0) async throws -> [WaitingNode] {
        let keys = DistributedKeys(runID: runID)
        let replies = try await client.pipeline([
            RunHash.get([.blueprintID, .blueprintVersion], runKey: keys.run).encoded,
            SMEMBERS(key: keys.awaiting).encoded,
        ])
        let fields = replies[0].array ?? []
        let blueprintID = fields.first?.string
        let version = fields.count > 1 ? fields[1].string.flatMap { $0.isEmpty ? nil : $0 } : nil
        let plan = blueprintID.flatMap { try? catalog.blueprint(id: $0, version: version) }
        let entries = (replies[1].array ?? []).compactMap(\.string).compactMap(NodeInstance.init(member:)).sorted {
            ($0.nodeID, $0.iteration) < ($1.nodeID, $1.iteration)
        }
        var nodes: [WaitingNode] = []
        for entry in entries {
            let n = plan?.nodeIndex[entry.nodeID]
            if let plan, let n, plan.builtins[n] == .subflow {
                let child = SubflowParentLink.childRunID(parent: runID, node: entry)
                nodes.append(WaitingNode(
                    runID: runID, nodeID: entry.nodeID, iteration: entry.iteration, kind: .subflow, childRunID: child))
                if depth < options.maximumSubflowDepth { nodes += try await waitingNodes(of: child, depth: depth + 1) }
                continue
            }
            var node = WaitingNode(runID: runID, nodeID: entry.nodeID, iteration: entry.iteration, kind: .wait)
            if let plan, let n {
                node.actions = RoutingRules.routedActions(plan, node: n)
                node.routesAnyAction = plan.outgoing[n].contains { plan.edges[$0].action == nil }
            }
            nodes.append(node)
        }
        return nodes
    }
}

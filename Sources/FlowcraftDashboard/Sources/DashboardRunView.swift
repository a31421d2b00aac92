import Flowcraft

/// What the Run page shows of one run, derived from its history events and its blueprint: each
/// node's state, the edges taken, the nodes waiting, the context and the child runs.
///
/// Kept small on purpose: the engine-independent derivation of node states (`RunGraphStates`)
/// replaces ``nodeStates`` and ``takenEdges`` once it is available.
public struct DashboardRunView: Sendable {
    /// The state a node is drawn in.
    public enum NodeState: String, Sendable, Hashable, Codable, CaseIterable {
        case completed
        /// Failed, and its fallback ran in its place.
        case recovered
        case failed
        case waiting
        case notReached = "not-reached"
    }

    public let summary: RunSummary
    public let events: [RunHistoryEvent]
    public let executions: [RunHistoryEvent.NodeExecution]
    /// By node id; nodes absent here were not reached.
    public let nodeStates: [String: NodeState]
    /// Indexes into the plan's `edges` that the run took.
    public let takenEdges: Set<Int>
    /// The nodes the run waits on now (empty unless it is waiting).
    public let waitingNodes: [String]
    /// The context rebuilt from the start context and every node's writes, internal keys left out.
    public let context: [String: JSONValue]
    /// Child runs (subflows): node id and child run id, in execution order.
    public let childRuns: [(nodeID: String, runID: String)]

    public init(summary: RunSummary, events: [RunHistoryEvent], plan: CompiledBlueprint?) {
        self.summary = summary
        self.events = events
        var executions: [RunHistoryEvent.NodeExecution] = []
        var states: [String: NodeState] = [:]
        var waiting: [String] = []
        var context: [String: JSONValue] = [:]
        for event in events {
            switch event.kind {
            case .runStarted(let start):
                context.merge(start.context) { _, new in new }
            case .nodeFinished(let execution):
                executions.append(execution)
                context.merge(execution.writes) { _, new in new }
                states[execution.nodeID] = Self.state(of: execution.status)
                waiting.removeAll { $0 == execution.nodeID }
                if let fallback = execution.fallbackNodeID, states[fallback] == nil { states[fallback] = .completed }
            case .paused(let nodes):
                waiting = nodes
            case .resumed(let nodeID, _):
                waiting.removeAll { $0 == nodeID }
            case .redriven(let nodes):
                for node in nodes { states[node] = nil }
            case .runEnded:
                waiting = []
            }
        }
        if summary.status == .waiting {
            for node in waiting where states[node] != .failed { states[node] = .waiting }
        } else {
            waiting = []
        }
        if summary.status == .failed, let failed = summary.failedNodeID { states[failed] = .failed }
        self.executions = executions
        self.nodeStates = states
        self.waitingNodes = waiting
        self.context = context.filter { !ContextKeys.isInternal($0.key) }
        self.childRuns = executions.compactMap { execution in execution.childRunID.map { (execution.nodeID, $0) } }
        self.takenEdges = plan.map { Self.taken(in: $0, executions: executions, states: states) } ?? []
    }

    private static func state(of status: RunHistoryEvent.NodeExecutionStatus) -> NodeState {
        switch status {
        case .completed: return .completed
        case .recovered: return .recovered
        case .failed: return .failed
        }
    }

    /// An edge is taken when its source finished (with the edge's action, for an action edge) and
    /// its target was reached.
    private static func taken(
        in plan: CompiledBlueprint, executions: [RunHistoryEvent.NodeExecution], states: [String: NodeState]
    ) -> Set<Int> {
        var actions: [String: Set<String>] = [:]
        var finished: Set<String> = []
        for execution in executions where execution.status != .failed {
            finished.insert(execution.nodeID)
            if let action = execution.action { actions[execution.nodeID, default: []].insert(action) }
        }
        var result: Set<Int> = []
        for (index, edge) in plan.edges.enumerated() {
            let source = plan.nodes[edge.source].id
            let target = plan.nodes[edge.target].id
            guard finished.contains(source), let reached = states[target], reached != .notReached else { continue }
            if let action = edge.action, !(actions[source]?.contains(action) ?? false) { continue }
            result.insert(index)
        }
        return result
    }

    /// The actions a waiting node routes (its outgoing edges' actions, in declaration order).
    public static func routedActions(of nodeID: String, in plan: CompiledBlueprint) -> [String] {
        guard let index = plan.nodeIndex[nodeID] else { return [] }
        var seen: [String] = []
        for edgeIndex in plan.outgoing[index] {
            if let action = plan.edges[edgeIndex].action, !seen.contains(action) { seen.append(action) }
        }
        return seen
    }
}

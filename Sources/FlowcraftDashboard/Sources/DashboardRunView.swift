import Flowcraft

/// What the Run page shows of one run, derived from its history events and its blueprint: each
/// node's state, the edges taken, the nodes waiting, the context and the child runs.
///
/// Node states, taken edges and waiting nodes come from ``RunGraphStates`` and the context from
/// ``RunInspection``, the derivations `flowcraft graph --run` and `flowcraft inspect` use, so the
/// dashboard and the CLI cannot disagree about a run.
package struct DashboardRunView: Sendable {
    /// The state a node is drawn in: a ``RunGraphStates/NodeState``, with `recovered` for a failed
    /// node whose fallback ran in its place.
    package enum NodeState: String, Sendable, Hashable, Codable, CaseIterable {
        case completed
        /// Failed, and its fallback ran in its place.
        case recovered
        case failed
        case running
        case waiting
        case skipped
        case notReached = "not-reached"

        init(_ state: RunGraphStates.NodeState) {
            switch state {
            case .completed: self = .completed
            case .failed: self = .failed
            case .running: self = .running
            case .waiting: self = .waiting
            case .skipped: self = .skipped
            case .notReached: self = .notReached
            }
        }
    }

    package let summary: RunSummary
    package let events: [RunHistoryEvent]
    package let executions: [RunHistoryEvent.NodeExecution]
    /// By node id, every node of the blueprint (empty when the run's blueprint is not loaded).
    package let nodeStates: [String: NodeState]
    /// Indexes into the plan's `edges` that the run took.
    package let takenEdges: Set<Int>
    /// The nodes the run waits on now (empty unless it is waiting).
    package let waitingNodes: [String]
    /// The context rebuilt from the start context and every node's writes, internal keys left out.
    package let context: [String: JSONValue]
    /// Child runs (subflows): node id and child run id, in execution order.
    package let childRuns: [(nodeID: String, runID: String)]
    /// Where the failed node is declared: the summary's location, else the one its last failed
    /// execution recorded (the Redis history keeps it on the execution).
    package let failureLocation: SourceLocation?

    package init(summary: RunSummary, events: [RunHistoryEvent], plan: CompiledBlueprint?) {
        self.summary = summary
        self.events = events
        executions = events.compactMap { event in
            if case .nodeFinished(let execution) = event.kind { return execution }
            return nil
        }
        failureLocation = summary.errorLocation ?? executions.last { execution in
            execution.status == .failed && execution.nodeID == summary.failedNodeID
        }?.errorLocation
        let inspection = RunInspection(summary: summary, events: events)
        context = inspection.context
        childRuns = inspection.timeline.compactMap { entry in entry.childRunID.map { (entry.nodeID, $0) } }
        if let plan {
            let graph = RunGraphStates(plan: plan, summary: summary, events: events)
            nodeStates = graph.nodes.reduce(into: [:]) { states, node in
                states[node.key] = graph.recoveredNodes.contains(node.key) ? .recovered : NodeState(node.value)
            }
            takenEdges = graph.takenEdges
            waitingNodes = graph.waitingNodes
        } else {
            nodeStates = [:]
            takenEdges = []
            waitingNodes = RunGraphStates.waitingNodes(summary: summary, events: events)
        }
    }

    /// The actions a waiting node routes (its outgoing edges' actions, in declaration order).
    package static func routedActions(of nodeID: String, in plan: CompiledBlueprint) -> [String] {
        guard let index = plan.nodeIndex[nodeID] else { return [] }
        var seen: [String] = []
        for edgeIndex in plan.outgoing[index] {
            if let action = plan.edges[edgeIndex].action, !seen.contains(action) { seen.append(action) }
        }
        return seen
    }
}

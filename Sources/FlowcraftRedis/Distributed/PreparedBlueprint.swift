import Flowcraft

/// A compiled blueprint plus what the distributed engine derives from it once: each node's input
/// keys and predecessors, and whether routing from a node needs the whole context (an edge
/// condition or transform that reads context keys rather than the node's own result).
final class PreparedBlueprint: Sendable {
    let plan: CompiledBlueprint
    let inputPlans: [NodeInputPlan]
    let routingNeedsContext: [Bool]
    /// The pending entries of a fresh run: its start nodes in iteration 0.
    let startEntries: [String]

    /// Roots an edge expression can resolve without reading the state hash.
    static let localRoots: Set<String> = ["result", "output", "action", "input"]

    init(_ plan: CompiledBlueprint) {
        self.plan = plan
        startEntries = plan.startNodes.map { NodeInstance(plan.nodes[$0].id).description }
        var predecessors = [[String]](repeating: [], count: plan.nodes.count)
        for edge in plan.edges where !predecessors[edge.target].contains(plan.nodes[edge.source].id) {
            predecessors[edge.target].append(plan.nodes[edge.source].id)
        }
        inputPlans = plan.nodes.indices.map { NodeInputPlan(node: plan.nodes[$0], predecessors: predecessors[$0]) }
        routingNeedsContext = plan.nodes.indices.map { n in
            let loop = plan.loopConditions[n].map { !$0.referencedRoots.isSubset(of: Self.localRoots) } ?? false
            return loop || plan.outgoing[n].contains { e in
                [plan.edges[e].condition, plan.edges[e].transform].contains { expression in
                    expression.map { !$0.referencedRoots.isSubset(of: Self.localRoots) } ?? false
                }
            }
        }
    }
}

import Flowcraft

/// A compiled blueprint plus what the distributed engine derives from it once: each node's input
/// keys, its start entries, and which context keys routing from a node reads (edge conditions read
/// `result`, `context` and context keys; transforms `input` and `context`; loop conditions `context`
/// and context keys — the runtime's scopes).
final class PreparedBlueprint: Sendable {
    let plan: CompiledBlueprint
    let inputPlans: [NodeInputPlan]
    /// Context keys routing from each node reads; `nil` when it reads the whole context.
    let routingKeys: [Set<String>?]
    /// The pending entries of a fresh run: its start nodes in iteration 0.
    let startEntries: [String]

    init(_ plan: CompiledBlueprint) {
        self.plan = plan
        startEntries = plan.startNodes.map { NodeInstance(plan.nodes[$0].id).description }
        inputPlans = plan.nodes.map(NodeInputPlan.init(node:))
        routingKeys = plan.nodes.indices.map { n in
            var keys: Set<String> = []
            var whole = false
            func add(_ roots: Set<String>, local: Set<String>, keysAreRoots: Bool) {
                for root in roots where !local.contains(root) {
                    if root == "context" { whole = true } else if keysAreRoots { keys.insert(root) }
                }
            }
            if let loop = plan.loopConditions[n] { add(loop.referencedRoots, local: [], keysAreRoots: true) }
            for e in plan.outgoing[n] {
                if let condition = plan.edges[e].condition {
                    add(condition.referencedRoots, local: ["result"], keysAreRoots: true)
                }
                if let transform = plan.edges[e].transform {
                    add(transform.referencedRoots, local: ["input"], keysAreRoots: false)
                }
            }
            return whole ? nil : keys
        }
    }
}

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
    /// Why the distributed engine cannot run this blueprint, when it cannot (nested loops: an
    /// iteration is one number per node, so a loop inside another loop's body would re-run
    /// instances that already committed).
    let unsupportedReason: String?

    init(_ plan: CompiledBlueprint) {
        self.plan = plan
        startEntries = plan.startNodes.map { NodeInstance(plan.nodes[$0].id).description }
        unsupportedReason = Self.nestedLoop(in: plan).map { inner, outer in
            "blueprint '\(plan.id)': loop-controller '\(inner)' lies inside the loop of '\(outer)'; nested loops are not supported by the distributed engine yet (the in-memory engine runs them)"
        }
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

    /// Two loop controllers on one cycle (one loop's body contains the other), if any.
    static func nestedLoop(in plan: CompiledBlueprint) -> (inner: String, outer: String)? {
        let controllers = plan.builtins.indices.filter { plan.builtins[$0] == .loopController }
        guard controllers.count > 1 else { return nil }
        var incoming = Array(repeating: [Int](), count: plan.nodes.count)
        for edge in plan.edges { incoming[edge.target].append(edge.source) }
        func reach(from n: Int, along next: (Int) -> [Int]) -> Set<Int> {
            var seen: Set<Int> = [n]
            var work = [n]
            while let m = work.popLast() {
                for t in next(m) where seen.insert(t).inserted { work.append(t) }
            }
            return seen
        }
        for outer in controllers {
            let forward = reach(from: outer) { plan.outgoing[$0].map { plan.edges[$0].target } }
            let backward = reach(from: outer) { incoming[$0] }
            if let inner = controllers.first(where: { $0 != outer && forward.contains($0) && backward.contains($0) }) {
                return (plan.nodes[inner].id, plan.nodes[outer].id)
            }
        }
        return nil
    }
}

import Flowcraft

/// A compiled blueprint plus what the distributed engine derives from it once: each node's input
/// keys, its start entries, and which context keys routing from a node reads (what each expression
/// sees is ``ExpressionSite``, the definition the runtime's scopes follow).
final class DistributedBlueprint: Sendable {
    /// The runtime's form of the blueprint, which both engines schedule from.
    let compiled: CompiledBlueprint
    let inputPlans: [NodeInputPlan]
    /// Context keys routing from each node reads; `nil` when it reads the whole context.
    let routingKeys: [Set<String>?]
    /// The pending entries of a fresh run: its start nodes in iteration 0.
    let startEntries: [String]
    /// Why the distributed engine cannot run this blueprint, when it cannot: loops whose bodies
    /// overlap without nesting, or loops nested deeper than ``IterationNumbering/maximumDepth``.
    let unsupportedReason: String?
    /// The identity of the blueprint's content (``BlueprintFingerprint``): carried by every job this
    /// engine enqueues, so a worker never runs a run's node with another graph of the same label.
    let fingerprint: String

    init(_ plan: CompiledBlueprint) {
        compiled = plan
        fingerprint = BlueprintFingerprint.of(plan.blueprint)
        startEntries = plan.startNodes.map { NodeInstance(plan.nodes[$0].id).description }
        unsupportedReason = Self.loopProblem(in: plan)
        inputPlans = plan.nodes.map(NodeInputPlan.init(node:))
        routingKeys = plan.nodes.indices.map { n in
            var keys: Set<String> = []
            var whole = false
            func add(_ expression: Expression, at site: ExpressionSite) {
                let read = site.contextRead(roots: expression.referencedRoots)
                whole = whole || read.whole
                keys.formUnion(read.keys)
            }
            if let loop = plan.loopConditions[n] { add(loop, at: .loopCondition) }
            for e in plan.outgoing[n] {
                if let condition = plan.edges[e].condition { add(condition, at: .edgeCondition) }
                if let transform = plan.edges[e].transform { add(transform, at: .edgeTransform) }
            }
            return whole ? nil : keys
        }
    }

    /// Why the loops of `plan` cannot be numbered by ``IterationNumbering``, if they cannot.
    static func loopProblem(in plan: CompiledBlueprint) -> String? {
        let loops = plan.loops
        if let (a, b) = loops.overlap {
            return "blueprint '\(plan.id)': the loops of '\(plan.nodes[a].id)' and '\(plan.nodes[b].id)' overlap without one containing the other; the distributed engine runs only nested or separate loops"
        }
        if loops.maxDepth > IterationNumbering.maximumDepth,
            let deepest = loops.depths.filter({ $0.value == loops.maxDepth }).keys.min()
        {
            return "blueprint '\(plan.id)': loop-controller '\(plan.nodes[deepest].id)' is nested \(loops.maxDepth) loops deep; the distributed engine runs loops nested up to \(IterationNumbering.maximumDepth) deep"
        }
        return nil
    }
}

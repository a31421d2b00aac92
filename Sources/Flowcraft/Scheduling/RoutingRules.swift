/// The engine-independent rules that keep a run from ending silently, shared by the in-memory
/// driver, the distributed executor, the workflow clients and the CLI:
///
/// - **Unrouted actions** (`[NO_ROUTE]`): a node with outgoing edges routes an action when an edge is
///   labelled with it or an edge has no label (the default edge). A completion whose action — or
///   missing action — no edge routes fails the run, unless the blueprint's metadata says
///   `unroutedActions: end`. A loop controller's `break` ends its loop when no edge routes it.
/// - **Stuck joins** (`[STUCK_JOIN]`): when no work is left and a join received arrivals but can
///   never fire, the run fails naming the join, the predecessors that arrived and those that never
///   will.
package enum RoutingRules {
    /// Whether node `n` has an edge for `action`: one labelled with it, or an unlabelled (default)
    /// edge. A node without outgoing edges routes nothing and ends its branch: always true. Edge
    /// conditions do not matter here (a condition that does not hold is a decision, not a gap).
    package static func routes(_ plan: CompiledBlueprint, node n: Int, action: String?) -> Bool {
        let out = plan.outgoing[n]
        if out.isEmpty { return true }
        for e in out {
            let label = plan.edges[e].action
            if label == nil || label == action { return true }
        }
        if plan.builtins[n] == .loopController && action == "break" { return true }
        return false
    }

    /// Whether a completion of `n` with `action` that no edge routes fails the run (the blueprint's
    /// `unroutedActions` policy decides).
    package static func failsUnrouted(_ plan: CompiledBlueprint, node n: Int, action: String?) -> Bool {
        plan.unroutedActions == .fail && !routes(plan, node: n, action: action)
    }

    /// The actions `n`'s edges route, in edge order, without repeats.
    package static func routedActions(_ plan: CompiledBlueprint, node n: Int) -> [String] {
        var seen: Set<String> = []
        return plan.outgoing[n].compactMap { plan.edges[$0].action }.filter { seen.insert($0).inserted }
    }

    /// `[NO_ROUTE] node 'review' (file:line:col) returned action 'aprove', which no edge routes (its
    /// edges route: approve, reject)`.
    package static func unroutedMessage(_ plan: CompiledBlueprint, node n: Int, action: String?) -> String {
        let node = plan.nodes[n]
        let returned = action.map { "action '\($0)'" } ?? "no action"
        let actions = routedActions(plan, node: n)
        return "[NO_ROUTE] node '\(node.id)'\(located(node.location)) returned \(returned), which no edge routes"
            + " (its edges route: \(actions.joined(separator: ", ")))"
    }

    /// `[STUCK_JOIN] join 'ship' (file:line:col) can never fire: arrived: a, b; never arriving: c`.
    /// `arrived` are the predecessors whose arrival (live or dead) was recorded.
    package static func stuckJoinMessage(_ plan: CompiledBlueprint, join n: Int, arrived: Set<Int>) -> String {
        let node = plan.nodes[n]
        // Only on this rare error path: the join's predecessors, in edge order (loop-back edges excluded).
        var predecessors: [Int] = []
        var seen: Set<Int> = []
        for (e, edge) in plan.edges.enumerated() where edge.target == n && !plan.isBackEdge[e] {
            if seen.insert(edge.source).inserted { predecessors.append(edge.source) }
        }
        let came = predecessors.filter { arrived.contains($0) }.map { plan.nodes[$0].id }
        let missing = predecessors.filter { !arrived.contains($0) }.map { plan.nodes[$0].id }
        return "[STUCK_JOIN] join '\(node.id)'\(located(node.location)) can never fire: arrived: "
            + "\(came.isEmpty ? "none" : came.joined(separator: ", ")); never arriving: "
            + "\(missing.isEmpty ? "none" : missing.joined(separator: ", "))"
    }

    /// Of several stuck joins, the one reported (both engines pick the same): the smallest node id.
    package static func reportedStuckJoin(_ plan: CompiledBlueprint, among joins: [Int]) -> Int? {
        joins.min { plan.nodes[$0].id < plan.nodes[$1].id }
    }

    /// The prefix of a stuck-join failure reason.
    package static let stuckJoinCode = "[STUCK_JOIN]"
    /// The prefix of an unrouted-action failure reason.
    package static let unroutedCode = "[NO_ROUTE]"

    private static func located(_ location: SourceLocation?) -> String {
        location.map { " (\($0))" } ?? ""
    }
}

/// What happens when a node returns an action that no edge routes and it has no default edge:
/// blueprint metadata `unroutedActions: fail` (the default) or `end` (Flowcraft's behaviour: the
/// branch ends silently).
package enum UnroutedActionPolicy: String, Sendable, Hashable, Codable, CaseIterable {
    case fail
    case end

    /// The metadata key.
    package static let metadataKey = "unroutedActions"

    /// The policy a blueprint's metadata declares (`fail` when absent or unreadable: the compiler
    /// rejects other values before a blueprint runs).
    package init(metadata: BlueprintMetadata?) {
        self = metadata?.extra[Self.metadataKey]?.stringValue.flatMap(Self.init(rawValue:)) ?? .fail
    }
}

/// A node's action that no edge routes, as a completion found it.
package struct UnroutedAction: Sendable, Hashable {
    /// The node index whose edges do not route `action`.
    package var node: Int
    package var action: String?

    package init(node: Int, action: String?) {
        self.node = node
        self.action = action
    }
}

import FlowcraftModel

/// `UNROUTED_ACTION` (warning: a declared action that no edge of the node routes) and
/// `UNKNOWN_ACTION` (warning: an edge routing an action the implementation never returns).
enum ActionRules {
    static let loopActions = ["continue", "break"]

    static func check(_ set: ValidationSet, _ out: inout [Diagnostic]) {
        for (b, blueprint) in set.blueprints.enumerated() {
            let graph = set.facts[b].graph
            for v in blueprint.nodes.indices where graph.ownsID[v] {
                let declared: [String]
                if blueprint.nodes[v].uses == BuiltinNode.loopController.rawValue {
                    declared = loopActions
                } else if !set.implementations.isEmpty, let actions = set.implementations[blueprint.nodes[v].uses]?.actions {
                    declared = actions
                } else {
                    continue
                }
                let node = blueprint.nodes[v]
                var routed: Set<String> = []
                var hasDefault = false
                for e in graph.outgoing(v) {
                    let edge = blueprint.edges[e]
                    guard let action = edge.action else {
                        hasDefault = true
                        continue
                    }
                    routed.insert(action)
                    if !declared.contains(action) {
                        out.append(.warning(.unknownAction,
                            "'\(node.uses)' never returns the action '\(action)', so this edge is never taken\(DidYouMean.hint(for: action, among: declared))",
                            at: edge.location(of: "action")))
                    }
                }
                // A loop-controller's 'break' may legitimately end the workflow.
                let checked = node.uses == BuiltinNode.loopController.rawValue ? [] : declared
                for action in checked where !routed.contains(action) {
                    let consequence = hasDefault
                        ? "it falls through to the unlabelled edges" : "the branch ends there"
                    out.append(.warning(.unroutedAction,
                        "no edge leaving '\(node.id)' routes the action '\(action)' declared by '\(node.uses)'; \(consequence)",
                        at: node.location(of: "uses")))
                }
            }
        }
    }
}

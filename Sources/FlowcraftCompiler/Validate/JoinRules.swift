import FlowcraftModel

/// `UNREACHABLE_JOIN` (warning): an `all` join fed by mutually exclusive branches. The runtime's
/// dead-path elimination still fires it, but one of its inputs is always missing.
enum JoinRules {
    static func check(_ set: ValidationSet, _ out: inout [Diagnostic]) {
        for (b, blueprint) in set.blueprints.enumerated() {
            let graph = set.facts[b].graph
            for exclusive in set.facts[b].analysis.exclusiveJoins {
                guard let v = graph.index[exclusive.join] else { continue }
                let branches = exclusive.branches.map { branch in
                    "'\(branch.predecessor)' (\(branch.action.map { "action '\($0)'" } ?? "default route"))"
                }
                out.append(.warning(.unreachableJoin,
                    "'\(exclusive.join)' waits for all of its predecessors, but \(branches.joined(separator: " and ")) are exclusive branches of '\(exclusive.router)': one of them is always skipped (the join still runs after the branch taken); set joinStrategy: any to say so",
                    at: blueprint.nodes[v].location(of: "id")))
            }
        }
    }
}

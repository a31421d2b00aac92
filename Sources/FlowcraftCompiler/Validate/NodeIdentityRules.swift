import FlowcraftModel

/// `DUPLICATE_NODE_ID` within a blueprint and `DUPLICATE_BLUEPRINT_ID` across the set.
enum NodeIdentityRules {
    static func check(_ set: ValidationSet, _ out: inout [Diagnostic]) {
        for (b, blueprint) in set.blueprints.enumerated() {
            let graph = set.facts[b].graph
            for i in blueprint.nodes.indices where !graph.ownsID[i] {
                let node = blueprint.nodes[i]
                guard let first = graph.index[node.id] else { continue }
                out.append(
                    Diagnostic.error(.duplicateNodeID, "node id '\(node.id)' is already used in blueprint '\(blueprint.id)'",
                                     at: node.location(of: "id"))
                    .noting("'\(node.id)' first defined here", at: blueprint.nodes[first].location(of: "id")))
            }
        }
        for (b, blueprint) in set.blueprints.enumerated() {
            guard let first = set.blueprintIndex[blueprint.id], first != b else { continue }
            out.append(
                Diagnostic.error(.duplicateBlueprintID, "blueprint id '\(blueprint.id)' is already used by another file",
                                 at: set.location(of: blueprint))
                .noting("'\(blueprint.id)' first defined here", at: set.location(of: set.blueprints[first])))
        }
    }
}

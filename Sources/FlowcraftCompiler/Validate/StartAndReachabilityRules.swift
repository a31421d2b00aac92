import FlowcraftModel

/// `NO_START_NODE`, `ORPHAN_NODE` (nodes no run reaches), and unknown `metadata.cycleEntryPoints`.
enum StartAndReachabilityRules {
    static func check(_ set: ValidationSet, _ out: inout [Diagnostic]) {
        for (b, blueprint) in set.blueprints.enumerated() {
            let facts = set.facts[b]
            let graph = facts.graph
            var hintBudget = 20
            for entry in blueprint.metadata?.cycleEntryPoints ?? [] where graph.index[entry] == nil {
                let hint = set.nodeHint(entry, in: b, budget: &hintBudget)
                out.append(.error(.invalidValue,
                    "cycle entry point '\(entry)' is not a node of blueprint '\(blueprint.id)'\(hint)",
                    at: set.location(of: blueprint)))
            }
            if blueprint.nodes.isEmpty {
                out.append(.error(.noStartNode, "blueprint '\(blueprint.id)' has no nodes", at: set.location(of: blueprint)))
                continue
            }
            if facts.startIndexes.isEmpty {
                out.append(.error(.noStartNode,
                    "blueprint '\(blueprint.id)' has no start node: every node has an incoming edge or is a fallback; add an entry node or list one under metadata.cycleEntryPoints",
                    at: set.location(of: blueprint)))
                continue
            }
            for v in blueprint.nodes.indices where !facts.reachable[v] && graph.ownsID[v] {
                let node = blueprint.nodes[v]
                out.append(.error(.orphanNode,
                    "node '\(node.id)' is unreachable: no path leads to it from a start node (\(startList(facts)))",
                    at: node.location(of: "id")))
            }
        }
    }

    private static func startList(_ facts: GraphFacts) -> String {
        let names = facts.startIndexes.prefix(3).map { "'\(facts.graph.ids[$0])'" }
        return names.joined(separator: ", ") + (facts.startIndexes.count > 3 ? ", …" : "")
    }
}

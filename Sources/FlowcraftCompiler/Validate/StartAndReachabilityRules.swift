import FlowcraftModel

/// `NO_START_NODE`, `ORPHAN_NODE` (nodes no run reaches), and unknown `metadata.cycleEntryPoints`.
enum StartAndReachabilityRules {
    static func check(_ set: ValidationSet, _ out: inout [Diagnostic]) {
        for (b, blueprint) in set.blueprints.enumerated() {
            let facts = set.facts[b]
            let graph = facts.graph
            var hintBudget = set.hintBudget(for: b)
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
            // Report where the unreachable region begins (nodes, or cycles, that nothing reachable leads
            // into), not every node behind it: fixing the entry fixes those too.
            var entered = Set<Int>()
            for v in blueprint.nodes.indices where !facts.reachable[v] {
                for e in graph.incoming(v) where facts.component[graph.edgeSource[e]] != facts.component[v] {
                    entered.insert(facts.component[v])
                }
                let f = graph.fallbackOf[v]
                if f >= 0 && facts.component[f] != facts.component[v] { entered.insert(facts.component[f]) }
            }
            var reportedComponents = Set<Int>()
            for v in blueprint.nodes.indices where !facts.reachable[v] && graph.ownsID[v] {
                let component = facts.component[v]
                guard !entered.contains(component), reportedComponents.insert(component).inserted else { continue }
                let node = blueprint.nodes[v]
                let subject: String
                if facts.isCyclic[v] {
                    let members = CycleRules.cyclePath([v], facts).prefix(6).map { "'\(graph.ids[$0])'" }
                    subject = "nodes \(members.joined(separator: ", ")) form a cycle that no start node leads into, so they never run"
                } else {
                    subject = "node '\(node.id)' is unreachable: nothing leads to it, so it never runs"
                }
                out.append(.error(.orphanNode,
                    "\(subject) (start nodes: \(startList(facts)))",
                    at: node.location(of: "id")))
            }
        }
    }

    private static func startList(_ facts: GraphFacts) -> String {
        let names = facts.startIndexes.prefix(3).map { "'\(facts.graph.ids[$0])'" }
        return names.joined(separator: ", ") + (facts.startIndexes.count > 3 ? ", …" : "")
    }
}

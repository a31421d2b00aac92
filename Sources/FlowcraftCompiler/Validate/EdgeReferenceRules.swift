import FlowcraftModel

/// `INVALID_EDGE_SOURCE`, `INVALID_EDGE_TARGET` (with did-you-mean over node ids) and `DUPLICATE_EDGE`.
enum EdgeReferenceRules {
    static func check(_ set: ValidationSet, _ out: inout [Diagnostic]) {
        for (b, blueprint) in set.blueprints.enumerated() {
            let graph = set.facts[b].graph
            var hintBudget = set.hintBudget(for: b)
            for e in blueprint.edges.indices where graph.edgeSource[e] < 0 || graph.edgeTarget[e] < 0 {
                let edge = blueprint.edges[e]
                if graph.edgeSource[e] < 0 {
                    let hint = set.nodeHint(edge.source, in: b, budget: &hintBudget)
                    out.append(.error(.invalidEdgeSource,
                        "edge source '\(edge.source)' is not a node of blueprint '\(blueprint.id)'\(hint)",
                        at: edge.location(of: "source")))
                }
                if graph.edgeTarget[e] < 0 {
                    let hint = set.nodeHint(edge.target, in: b, budget: &hintBudget)
                    out.append(.error(.invalidEdgeTarget,
                        "edge target '\(edge.target)' is not a node of blueprint '\(blueprint.id)'\(hint)",
                        at: edge.location(of: "target")))
                }
            }
            for v in 0..<graph.nodeCount where graph.outDegree(v) > 1 {
                duplicates(among: graph.outgoing(v), blueprint, graph, &out)
            }
        }
    }

    /// Flowcraft keys edges by source, target, action and condition, and drops repeats; edges of one
    /// source are compared pairwise when few (the usual case), through a dictionary otherwise.
    private static func duplicates(among edges: ArraySlice<Int>, _ blueprint: WorkflowBlueprint, _ graph: BlueprintGraph,
                                   _ out: inout [Diagnostic]) {
        func same(_ a: Int, _ b: Int) -> Bool {
            graph.edgeTarget[a] == graph.edgeTarget[b] && blueprint.edges[a].action == blueprint.edges[b].action
                && blueprint.edges[a].condition == blueprint.edges[b].condition
        }
        if edges.count <= 8 {
            for (k, e) in zip(edges.indices, edges) {
                if let first = edges[edges.startIndex..<k].first(where: { same($0, e) }) {
                    report(e, first, blueprint, &out)
                }
            }
            return
        }
        var seen: [EdgeKey: Int] = [:]
        for e in edges {
            let key = EdgeKey(target: graph.edgeTarget[e], action: blueprint.edges[e].action, condition: blueprint.edges[e].condition)
            if let first = seen[key] {
                report(e, first, blueprint, &out)
            } else {
                seen[key] = e
            }
        }
    }

    private static func report(_ e: Int, _ first: Int, _ blueprint: WorkflowBlueprint, _ out: inout [Diagnostic]) {
        let edge = blueprint.edges[e]
        out.append(
            Diagnostic.warning(.duplicateEdge,
                "edge '\(edge.source)' → '\(edge.target)'\(edge.action.map { " (action '\($0)')" } ?? "") repeats an earlier edge; it is ignored",
                at: edge.location)
            .noting("first defined here", at: blueprint.edges[first].location))
    }

    private struct EdgeKey: Hashable {
        let target: Int
        let action: String?
        let condition: String?
    }
}

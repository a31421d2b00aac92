import FlowcraftModel

/// `UNDECLARED_CYCLE` (a cycle with neither a loop-controller nor a declared cycle entry point) and
/// `LOOP_WITHOUT_CONTINUE` (a loop-controller with no `continue` edge).
enum CycleRules {
    static func check(_ set: ValidationSet, _ out: inout [Diagnostic]) {
        for (b, blueprint) in set.blueprints.enumerated() {
            let facts = set.facts[b]
            let entryPoints = Set(blueprint.metadata?.cycleEntryPoints ?? [])
            for members in facts.cycleNodes {
                let declared = members.contains { v in
                    blueprint.nodes[v].uses == BuiltinNode.loopController.rawValue || entryPoints.contains(facts.graph.ids[v])
                }
                if declared { continue }
                let path = cyclePath(members, facts)
                let shown = path.prefix(8).map { facts.graph.ids[$0] }
                let text = shown.joined(separator: " → ") + (path.count > 8 ? " → …" : " → \(facts.graph.ids[path[0]])")
                out.append(.error(.undeclaredCycle,
                    "cycle \(text) has no loop-controller; route it through a 'loop-controller' node or list its entry under metadata.cycleEntryPoints",
                    at: closingEdgeLocation(members, blueprint, facts)))
            }
            for v in blueprint.nodes.indices where blueprint.nodes[v].uses == BuiltinNode.loopController.rawValue {
                let node = blueprint.nodes[v]
                let hasContinue = facts.graph.outgoing(v).contains { blueprint.edges[$0].action == "continue" }
                if !hasContinue {
                    out.append(.error(.loopWithoutContinue,
                        "loop-controller '\(node.id)' has no edge with action 'continue' back into the loop body",
                        at: node.location(of: "id")))
                }
            }
        }
    }

    /// One simple cycle through the component's first node, found by a breadth-first search that
    /// stays inside the component (linear in its size).
    static func cyclePath(_ members: [Int], _ facts: GraphFacts) -> [Int] {
        let graph = facts.graph
        let start = members[0]
        let component = facts.component[start]
        var parent: [Int: Int] = [start: -1]
        var queue = [start]
        var head = 0
        while head < queue.count {
            let v = queue[head]
            head += 1
            for e in graph.outgoing(v) {
                let w = graph.edgeTarget[e]
                if w == start {
                    var path = [v]
                    var p = parent[v] ?? -1
                    while p >= 0 {
                        path.append(p)
                        p = parent[p] ?? -1
                    }
                    return path.reversed()
                }
                if facts.component[w] == component && parent[w] == nil {
                    parent[w] = v
                    queue.append(w)
                }
            }
        }
        return [start]
    }

    /// The edge that closes the cycle in reading order: the first one inside the component that
    /// points back to an earlier (or the same) node.
    private static func closingEdgeLocation(_ members: [Int], _ blueprint: WorkflowBlueprint, _ facts: GraphFacts) -> SourceLocation? {
        let component = facts.component[members[0]]
        for v in members {
            for e in facts.graph.outgoing(v) {
                let w = facts.graph.edgeTarget[e]
                if facts.component[w] == component && w <= v { return blueprint.edges[e].location }
            }
        }
        return blueprint.nodes[members[0]].location(of: "id")
    }
}

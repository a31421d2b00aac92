import FlowcraftModel

/// `FALLBACK_EDGE_INTO_JOIN` (warning): a fallback node with an edge of its own into an `all` join
/// (a node with several predecessors). The engines treat it so:
/// - an unused fallback (its owner succeeded or was skipped) counts as a dead predecessor of the join;
/// - when it runs, it arrives live along its failed owner's edges and along its own, so the join
///   waits for it or for its owner's success;
/// - a fallback shared by several nodes resolves its own edges once, however many of them fail.
///
/// Reported at the fallback's edge, once per such edge.
enum FallbackJoinRules {
    static func check(_ set: ValidationSet, _ out: inout [Diagnostic]) {
        for (b, blueprint) in set.blueprints.enumerated() {
            let graph = set.facts[b].graph
            let n = graph.nodeCount
            // The owners of each fallback node, in file order.
            var owners = [[Int]](repeating: [], count: n)
            for v in 0..<n {
                let f = graph.fallbackOf[v]
                if f >= 0 && f != v { owners[f].append(v) }
            }
            for f in 0..<n where !owners[f].isEmpty {
                for e in graph.outgoing(f) {
                    let join = graph.edgeTarget[e]
                    guard join != f, blueprint.nodes[join].config.joinStrategy != .any else { continue }
                    let predecessors = Set(graph.incoming(join).map { graph.edgeSource[$0] })
                    guard predecessors.count >= 2 else { continue }
                    out.append(.warning(.fallbackEdgeIntoJoin,
                        message(fallback: f, owners: owners[f], join: join, predecessors: predecessors.count, graph: graph),
                        at: blueprint.edges[e].location))
                }
            }
        }
    }

    private static func message(fallback f: Int, owners: [Int], join: Int, predecessors: Int, graph: BlueprintGraph) -> String {
        let fallback = "'\(graph.ids[f])'"
        let target = "'\(graph.ids[join])'"
        let ownerList = owners.map { "'\(graph.ids[$0])'" }
        let owner = ownerList.count == 1 ? ownerList[0] : "its owner"
        var text = "fallback \(fallback) (of \(ownerList.joined(separator: ", "))) has an edge of its own into \(target), "
            + "which waits for all of its \(predecessors) predecessors: while \(owner) succeeds or is skipped, "
            + "\(fallback) does not run and counts as a dead predecessor of \(target); when \(owner) fails, "
            + "\(fallback) runs and arrives along \(owner)'s edges and along its own, so \(target) waits for "
            + "\(fallback) or for \(owner)'s success"
        if ownerList.count > 1 {
            text += "; \(fallback) is the fallback of \(ownerList.count) nodes, and its own edges resolve once, "
                + "however many of them fail"
        }
        return text
    }
}

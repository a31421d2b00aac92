import FlowcraftModel

/// `INVALID_FALLBACK`: a fallback that names no node, the node itself, or closes a chain of fallbacks.
enum FallbackRules {
    static func check(_ set: ValidationSet, _ out: inout [Diagnostic]) {
        for (b, blueprint) in set.blueprints.enumerated() {
            let graph = set.facts[b].graph
            var hintBudget = set.hintBudget(for: b)
            for v in blueprint.nodes.indices {
                guard let fallback = blueprint.nodes[v].config.fallback else { continue }
                let node = blueprint.nodes[v]
                let at = node.location(of: "config.fallback")
                if graph.index[fallback] == nil {
                    let hint = set.nodeHint(fallback, in: b, budget: &hintBudget)
                    out.append(.error(.invalidFallback,
                        "fallback '\(fallback)' of node '\(node.id)' is not a node of blueprint '\(blueprint.id)'\(hint)", at: at))
                } else if graph.fallbackOf[v] == v {
                    out.append(.error(.invalidFallback, "node '\(node.id)' cannot be its own fallback", at: at))
                }
            }
            // Each node has at most one fallback, so chains are walked once each: linear.
            let n = graph.nodeCount
            var state = [UInt8](repeating: 0, count: n)  // 0 new, 1 on the current walk, 2 done
            for start in 0..<n where state[start] == 0 {
                var walk: [Int] = []
                var v = start
                while v >= 0 && state[v] == 0 {
                    state[v] = 1
                    walk.append(v)
                    let next = graph.fallbackOf[v]
                    v = next == v ? -1 : next
                }
                if v >= 0 && state[v] == 1, let from = walk.firstIndex(of: v) {
                    let loop = Array(walk[from...])
                    let names = loop.map { graph.ids[$0] } + [graph.ids[v]]
                    let first = loop.min() ?? v
                    out.append(.error(.invalidFallback,
                        "fallbacks form a cycle: \(names.joined(separator: " → "))",
                        at: blueprint.nodes[first].location(of: "config.fallback")))
                }
                for w in walk { state[w] = 2 }
            }
        }
    }
}

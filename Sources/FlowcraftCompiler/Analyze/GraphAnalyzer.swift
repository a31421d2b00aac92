import FlowcraftModel

/// Computes `BlueprintAnalysis` in time and memory linear in nodes + edges.
package enum GraphAnalyzer {
    package static func analyze(_ blueprint: WorkflowBlueprint) -> BlueprintAnalysis {
        analyze(blueprint, graph: BlueprintGraph(blueprint)).analysis
    }

    /// The analysis together with the index-level facts validators reuse.
    static func analyze(_ blueprint: WorkflowBlueprint, graph: BlueprintGraph) -> GraphFacts {
        let n = graph.nodeCount
        let ids = graph.ids
        let scc = StronglyConnectedComponents(graph)

        // Nodes grouped by component (counting sort), components in topological order.
        var componentStart = [Int](repeating: 0, count: scc.count + 1)
        for c in 0..<scc.count { componentStart[c + 1] = componentStart[c] + scc.size[c] }
        var fill = componentStart
        var componentNodes = [Int](repeating: 0, count: n)
        for v in 0..<n {
            componentNodes[fill[scc.component[v]]] = v
            fill[scc.component[v]] += 1
        }
        var isCyclic = [Bool](repeating: false, count: n)
        for v in 0..<n {
            if scc.size[scc.component[v]] > 1 {
                isCyclic[v] = true
            } else {
                for e in graph.outgoing(v) where graph.edgeTarget[e] == v { isCyclic[v] = true }
            }
        }

        // Cycles, reported in file order of their first node.
        var cycleOfComponent = [Int](repeating: -1, count: scc.count)
        var cycles: [[String]] = []
        var cycleNodes: [[Int]] = []
        for v in 0..<n where isCyclic[v] {
            let c = scc.component[v]
            if cycleOfComponent[c] < 0 {
                cycleOfComponent[c] = cycles.count
                cycles.append([])
                cycleNodes.append([])
            }
            cycles[cycleOfComponent[c]].append(ids[v])
            cycleNodes[cycleOfComponent[c]].append(v)
        }

        // Start nodes.
        let (startIndexes, startsAtCycleEntries) = StartNodes.indices(
            nodeCount: n, isCandidate: { graph.ownsID[$0] }, hasIncomingEdge: { graph.inDegree($0) > 0 },
            isFallbackTarget: { graph.isFallbackTarget[$0] }, cycleEntryPoints: blueprint.metadata?.cycleEntryPoints,
            index: { graph.index[$0] })

        // Reachability along edges and fallbacks.
        var reachable = [Bool](repeating: false, count: n)
        var queue = startIndexes
        for v in startIndexes { reachable[v] = true }
        var head = 0
        while head < queue.count {
            let v = queue[head]
            head += 1
            for e in graph.outgoing(v) {
                let w = graph.edgeTarget[e]
                if !reachable[w] {
                    reachable[w] = true
                    queue.append(w)
                }
            }
            let f = graph.fallbackOf[v]
            if f >= 0 && !reachable[f] {
                reachable[f] = true
                queue.append(f)
            }
        }

        // Longest-path levels over the condensation (components descend in topological order).
        var componentLevel = [Int](repeating: 0, count: scc.count)
        var maxLevel = 0
        var c = scc.count - 1
        while c >= 0 {
            let level = componentLevel[c]
            maxLevel = max(maxLevel, level)
            for k in componentStart[c]..<componentStart[c + 1] {
                for e in graph.outgoing(componentNodes[k]) {
                    let d = scc.component[graph.edgeTarget[e]]
                    if d != c && componentLevel[d] < level + 1 { componentLevel[d] = level + 1 }
                }
            }
            c -= 1
        }
        // A fallback-only node (no edge in) runs in the place of the node it backs up: it sits at that
        // node's level and is terminal only through it, never a level-0 or terminal node of its own.
        var protected = [Int](repeating: -1, count: n)
        for v in 0..<n where graph.fallbackOf[v] >= 0 && protected[graph.fallbackOf[v]] < 0 { protected[graph.fallbackOf[v]] = v }
        func isFallbackOnly(_ v: Int) -> Bool { graph.isFallbackTarget[v] && graph.inDegree(v) == 0 && protected[v] >= 0 }
        var levels: [[String]] = n == 0 ? [] : Array(repeating: [], count: maxLevel + 1)
        for v in 0..<n {
            var placed = v, hops = 0
            while isFallbackOnly(placed) && hops < n { placed = protected[placed]; hops += 1 }  // a chain of fallbacks
            levels[componentLevel[scc.component[placed]]].append(ids[v])
        }
        levels.removeAll { $0.isEmpty }

        // Joins: distinct predecessors in edge order.
        var joins: [JoinPoint] = []
        var joinIndexes: [Int] = []
        var mark = [Int](repeating: -1, count: n)
        for v in 0..<n where graph.inDegree(v) > 1 && graph.ownsID[v] {
            var preds: [String] = []
            for e in graph.incoming(v) {
                let p = graph.edgeSource[e]
                if mark[p] != v {
                    mark[p] = v
                    preds.append(ids[p])
                }
            }
            if preds.count > 1 {
                joins.append(JoinPoint(node: ids[v], predecessors: preds, strategy: blueprint.nodes[v].config.joinStrategy ?? .all))
                joinIndexes.append(v)
            }
        }

        var branches = BranchTags(blueprint: blueprint, graph: graph, isCyclic: isCyclic, scc: scc,
                                  componentStart: componentStart, componentNodes: componentNodes)
        var exclusiveJoins: [ExclusiveJoin] = []
        for (j, v) in zip(joins.indices, joinIndexes) where joins[j].strategy == .all {
            exclusiveJoins += branches.exclusiveBranches(into: v)
        }

        let analysis = BlueprintAnalysis(
            blueprintID: blueprint.id,
            nodeCount: n,
            edgeCount: blueprint.edges.count,
            startNodes: startIndexes.map { ids[$0] },
            terminalNodes: (0..<n).filter { graph.outDegree($0) == 0 && graph.ownsID[$0] && !isFallbackOnly($0) }
                .map { ids[$0] },
            cycles: cycles,
            unreachableNodes: (0..<n).filter { !reachable[$0] }.map { ids[$0] },
            levels: levels,
            joins: joins,
            exclusiveJoins: exclusiveJoins)
        return GraphFacts(
            analysis: analysis, graph: graph, startIndexes: startIndexes, startsAtCycleEntries: startsAtCycleEntries,
            reachable: reachable, isCyclic: isCyclic, cycleNodes: cycleNodes, component: scc.component)
    }
}

/// What the analysis computed at index level, for validators that need more than the public summary.
struct GraphFacts: Sendable {
    let analysis: BlueprintAnalysis
    let graph: BlueprintGraph
    let startIndexes: [Int]
    /// True when no node lacks predecessors and the declared cycle entry points start the run.
    let startsAtCycleEntries: Bool
    let reachable: [Bool]
    let isCyclic: [Bool]
    /// Node indexes of each cycle, in file order, parallel to `analysis.cycles`.
    let cycleNodes: [[Int]]
    let component: [Int]
}

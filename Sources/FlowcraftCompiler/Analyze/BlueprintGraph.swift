import FlowcraftModel

/// A blueprint's nodes and edges as dense index arrays (compressed adjacency), built once in
/// linear time so the analyses and validators never look nodes up by string in their inner loops.
///
/// Node indexes follow file order. When two nodes share an id, the first one owns it (the
/// duplicate is reported by a validator and otherwise ignored). Edges whose endpoints are unknown
/// are left out of the adjacency (they are reported too) but keep their index in `edges`.
package struct BlueprintGraph: Sendable {
    /// Node ids in file order (duplicates included, so indexes match `blueprint.nodes`).
    package let ids: [String]
    /// The first node index of each id.
    package let index: [String: Int]
    /// For each blueprint edge: source and target indexes, or -1 when unknown.
    package let edgeSource: [Int]
    package let edgeTarget: [Int]
    /// Outgoing edges: edge indexes of node `n` are `outEdges[outStart[n]..<outStart[n + 1]]`.
    package let outStart: [Int]
    package let outEdges: [Int]
    /// Target node of each entry of `outEdges` (the successor lists, for graph walks).
    package let outTargets: [Int]
    /// Incoming edges, laid out the same way.
    package let inStart: [Int]
    package let inEdges: [Int]
    /// `fallbackOf[n]` is the index of node `n`'s `config.fallback`, or -1.
    package let fallbackOf: [Int]
    /// Whether some node names `n` as its fallback (such nodes are not start nodes).
    package let isFallbackTarget: [Bool]
    /// Whether node `n` owns its id (`false` for a later node repeating an earlier id).
    package let ownsID: [Bool]

    package var nodeCount: Int { ids.count }

    package init(_ blueprint: WorkflowBlueprint) {
        let n = blueprint.nodes.count
        var ids: [String] = []
        ids.reserveCapacity(n)
        var index: [String: Int] = [:]
        index.reserveCapacity(n)
        var ownsID = [Bool](repeating: false, count: n)
        // Indexed access reads fields in place instead of copying whole node values.
        for i in 0..<n {
            let id = blueprint.nodes[i].id
            ids.append(id)
            // One hash lookup in the common case; a repeated id puts the first owner back.
            if let first = index.updateValue(i, forKey: id) {
                index[id] = first
            } else {
                ownsID[i] = true
            }
        }
        let m = blueprint.edges.count
        var edgeSource = [Int](repeating: -1, count: m)
        var edgeTarget = [Int](repeating: -1, count: m)
        var outDegree = [Int](repeating: 0, count: n + 1)
        var inDegree = [Int](repeating: 0, count: n + 1)
        for e in 0..<m {
            let s = index[blueprint.edges[e].source] ?? -1
            let t = index[blueprint.edges[e].target] ?? -1
            edgeSource[e] = s
            edgeTarget[e] = t
            if s >= 0 && t >= 0 {
                outDegree[s] += 1
                inDegree[t] += 1
            }
        }
        // Prefix sums turn degrees into start offsets.
        var outStart = [Int](repeating: 0, count: n + 1)
        var inStart = [Int](repeating: 0, count: n + 1)
        for i in 0..<n {
            outStart[i + 1] = outStart[i] + outDegree[i]
            inStart[i + 1] = inStart[i] + inDegree[i]
        }
        var outFill = outStart
        var inFill = inStart
        var outEdges = [Int](repeating: 0, count: outStart[n])
        var inEdges = [Int](repeating: 0, count: inStart[n])
        for e in 0..<m where edgeSource[e] >= 0 && edgeTarget[e] >= 0 {
            outEdges[outFill[edgeSource[e]]] = e
            outFill[edgeSource[e]] += 1
            inEdges[inFill[edgeTarget[e]]] = e
            inFill[edgeTarget[e]] += 1
        }
        var fallbackOf = [Int](repeating: -1, count: n)
        var isFallbackTarget = [Bool](repeating: false, count: n)
        for i in 0..<n {
            if let f = blueprint.nodes[i].config.fallback, let fi = index[f] {
                fallbackOf[i] = fi
                if fi != i { isFallbackTarget[fi] = true }
            }
        }
        self.ids = ids
        self.index = index
        self.edgeSource = edgeSource
        self.edgeTarget = edgeTarget
        self.outStart = outStart
        self.outEdges = outEdges
        self.outTargets = outEdges.map { edgeTarget[$0] }
        self.inStart = inStart
        self.inEdges = inEdges
        self.fallbackOf = fallbackOf
        self.isFallbackTarget = isFallbackTarget
        self.ownsID = ownsID
    }

    /// Edge indexes leaving node `n`.
    package func outgoing(_ n: Int) -> ArraySlice<Int> { outEdges[outStart[n]..<outStart[n + 1]] }
    /// Edge indexes entering node `n`.
    package func incoming(_ n: Int) -> ArraySlice<Int> { inEdges[inStart[n]..<inStart[n + 1]] }
    package func outDegree(_ n: Int) -> Int { outStart[n + 1] - outStart[n] }
    package func inDegree(_ n: Int) -> Int { inStart[n + 1] - inStart[n] }
}

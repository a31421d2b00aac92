/// The start-node rule, shared by the compiler (analysis, generated entry points) and the runtime
/// (`CompiledBlueprint.startNodes`), which cannot import each other.
///
/// A run starts at every node that has no incoming edge and is not a fallback target (a node only
/// reached as another's fallback never starts a run), in node order. When there is none (every node
/// lies on a cycle), it starts at the blueprint's `metadata.cycleEntryPoints` that name a node, each
/// once, in node order.
package enum StartNodes {
    /// The start nodes of `nodeCount` nodes; `atCycleEntries` when they are the cycle entry points.
    ///
    /// - Parameters:
    ///   - isCandidate: whether node `i` may start the run at all (the compiler leaves out a second
    ///     node with an already used id); every node by default.
    ///   - hasIncomingEdge: whether any edge leads to node `i`.
    ///   - isFallbackTarget: whether node `i` is another node's fallback.
    ///   - cycleEntryPoints: the blueprint's `metadata.cycleEntryPoints`.
    ///   - index: the node index of an id.
    package static func indices(
        nodeCount: Int, isCandidate: (Int) -> Bool = { _ in true }, hasIncomingEdge: (Int) -> Bool,
        isFallbackTarget: (Int) -> Bool, cycleEntryPoints: [String]?, index: (String) -> Int?
    ) -> (indices: [Int], atCycleEntries: Bool) {
        var starts: [Int] = []
        for i in 0..<nodeCount where isCandidate(i) && !hasIncomingEdge(i) && !isFallbackTarget(i) { starts.append(i) }
        guard starts.isEmpty, let entries = cycleEntryPoints else { return (starts, false) }
        var seen = Set<Int>()
        for entry in entries {
            if let i = index(entry), seen.insert(i).inserted { starts.append(i) }
        }
        starts.sort()
        return (starts, !starts.isEmpty)
    }

}

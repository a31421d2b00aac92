/// How a blueprint's loops nest: the body of each `loop-controller` and its depth.
///
/// A loop's body is every node on a path from one of its `continue` targets back to the controller,
/// not counting other loops' `continue` edges (those are the other loops' own cycles). A loop whose
/// controller lies in another loop's body is nested in it. Bodies that overlap without one containing
/// the other do not nest: ``overlap`` names such a pair.
package struct LoopNesting: Sendable {
    /// The 1-based depth of each loop controller (1: inside no other loop).
    package let depths: [Int: Int]
    /// The deepest nesting (0 without loops).
    package let maxDepth: Int
    /// Two loop controllers whose bodies overlap without nesting, if any.
    package let overlap: (first: Int, second: Int)?
    /// For each node, the loop controllers whose body holds it (empty without loops: no entry per
    /// node then).
    package let enclosing: [[Int]]

    /// The loop controllers whose body holds node `n`.
    package func loops(enclosing n: Int) -> [Int] { enclosing.isEmpty ? [] : enclosing[n] }

    package init(nodeCount: Int, edges: [CompiledEdge], outgoing: [[Int]], builtins: [BuiltinNode?]) {
        let controllers = builtins.indices.filter { builtins[$0] == .loopController }
        guard !controllers.isEmpty else {
            depths = [:]
            maxDepth = 0
            overlap = nil
            enclosing = []
            return
        }
        let isController = Set(controllers)
        // Another loop's `continue` edge belongs to that loop's own cycle.
        func crossesOtherLoop(_ e: Int, of loop: Int) -> Bool {
            let edge = edges[e]
            return edge.source != loop && isController.contains(edge.source) && edge.action == "continue"
        }
        var incoming = [[Int]](repeating: [], count: nodeCount)
        for (e, edge) in edges.enumerated() { incoming[edge.target].append(e) }

        var bodies: [Int: Set<Int>] = [:]
        for loop in controllers {
            let entries = outgoing[loop].filter { edges[$0].action == "continue" }.map { edges[$0].target }
            var forward: Set<Int> = Set(entries)
            var work = entries
            while let n = work.popLast() {
                // The controller ends the body: its own edges leave or restart the loop.
                if n == loop { continue }
                for e in outgoing[n] where !crossesOtherLoop(e, of: loop) {
                    if forward.insert(edges[e].target).inserted { work.append(edges[e].target) }
                }
            }
            var backward: Set<Int> = [loop]
            work = [loop]
            while let n = work.popLast() {
                for e in incoming[n] where !crossesOtherLoop(e, of: loop) && edges[e].source != loop {
                    if backward.insert(edges[e].source).inserted { work.append(edges[e].source) }
                }
            }
            bodies[loop] = forward.intersection(backward).union([loop])
        }

        var depths: [Int: Int] = [:]
        var overlap: (Int, Int)?
        for loop in controllers {
            var depth = 1
            for other in controllers where other != loop {
                guard let outer = bodies[other], let inner = bodies[loop] else { continue }
                if outer.contains(loop) {
                    if inner.isSubset(of: outer) { depth += 1 } else if overlap == nil { overlap = (loop, other) }
                } else if !outer.isDisjoint(with: inner), !inner.contains(other), overlap == nil {
                    overlap = (loop, other)
                }
            }
            depths[loop] = depth
        }
        self.depths = depths
        maxDepth = depths.values.max() ?? 0
        self.overlap = overlap
        var enclosing = [[Int]](repeating: [], count: nodeCount)
        for loop in controllers.sorted() {
            for n in bodies[loop] ?? [] { enclosing[n].append(loop) }
        }
        self.enclosing = enclosing
    }
}

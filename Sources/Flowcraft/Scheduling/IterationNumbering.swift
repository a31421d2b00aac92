/// How a node instance's iteration number counts loop rounds: both engines number every node
/// execution with it (the history's `iteration`, a subflow call's child run id
/// ``SubflowRunID``), and the distributed engine keys its done and pending sets and job ids with it
/// (`node#iteration`), so every round of every loop needs a number of its own.
///
/// Without nested loops the number is the round of the enclosing loop (0 outside loops): `continue`
/// adds one, leaving the loop resets it to 0. With nested loops it packs one 20-bit round counter per
/// nesting level (outermost in the low bits): an inner loop's `continue` counts in its own field,
/// leaving it clears that field, so the enclosing loop's next round starts the inner loop afresh
/// under a number never used before.
package struct IterationNumbering: Sendable {
    package static let bitsPerLevel = 20
    /// Levels that fit in a 64-bit iteration number with room to spare.
    package static let maximumDepth = 3
    /// Rounds one nested level can count.
    package static let maximumNestedRounds = (1 << bitsPerLevel) - 1

    package let loops: LoopNesting

    package init(_ plan: CompiledBlueprint) {
        loops = plan.loops
    }

    private var packed: Bool { loops.maxDepth > 1 }

    private func shift(_ depth: Int) -> Int { Self.bitsPerLevel * (max(1, depth) - 1) }

    /// The round of the loop at `depth` within `iteration` (0 before its first `continue`).
    package func round(of iteration: Int, depth: Int) -> Int {
        packed ? (iteration >> shift(depth)) & Self.maximumNestedRounds : iteration
    }

    /// The iteration of the next round of the loop at `depth`.
    package func next(after iteration: Int, depth: Int) -> Int {
        // Wrapping: the distributed engine refuses more rounds than a field counts (``roundLimit``)
        // and deeper nesting; the in-memory engine runs them, and only their numbers repeat.
        packed ? iteration &+ (1 << shift(depth)) : iteration &+ 1
    }

    /// The iteration after leaving the loop at `depth`.
    package func leaving(_ iteration: Int, depth: Int) -> Int {
        packed ? iteration & ~(Self.maximumNestedRounds << shift(depth)) : 0
    }

    /// The most rounds a loop can count here (`nil`: no limit beyond its cap).
    package var roundLimit: Int? { packed ? Self.maximumNestedRounds : nil }

    /// The iteration of an execution of `target` entered over an edge from `source` by a
    /// completion in `iteration` that chose `action` (`nil` for a dead arrival): a loop controller's
    /// `continue` edge enters the next round when the controller continues, its other edges leave
    /// the loop; every other edge stays in the source's iteration.
    package func iteration(of target: Int, from source: Int, action: String?, iteration: Int, in plan: CompiledBlueprint) -> Int {
        guard plan.builtins[source] == .loopController else { return iteration }
        let depth = loops.depths[source] ?? 1
        // Deeper than the packing counts: the in-memory engine runs such loops (the distributed
        // engine refuses them) without numbering the deeper rounds.
        guard depth <= Self.maximumDepth else { return iteration }
        let continues = plan.outgoing[source].contains { e in
            plan.edges[e].target == target && plan.edges[e].action == "continue"
        }
        if continues { return action == "continue" ? next(after: iteration, depth: depth) : iteration }
        return leaving(iteration, depth: depth)
    }

    /// The iteration of an execution of node `n` prepared now, from the rounds each loop around it
    /// has counted (`rounds`: ``RunScheduler/iterationCount(ofLoop:)``: a `continue` counts one, a
    /// `break` resets it). The same number the distributed engine carries along the edges: a loop's
    /// body counts its rounds, leaving a loop clears its round.
    package func iteration(ofNode n: Int, rounds: (Int) -> Int) -> Int {
        var iteration = 0
        for loop in loops.loops(enclosing: n) {
            let depth = loops.depths[loop] ?? 1
            guard depth <= Self.maximumDepth else { continue }
            let round = rounds(loop)
            iteration |= packed ? (round & Self.maximumNestedRounds) << shift(depth) : round
        }
        return iteration
    }
}

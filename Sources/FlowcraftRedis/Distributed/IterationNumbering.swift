import Flowcraft

/// How a node instance's iteration number counts loop rounds (`node#iteration` keys the done and
/// pending sets and the job id, so every round of every loop needs a number of its own).
///
/// Without nested loops the number is the round of the enclosing loop (0 outside loops): `continue`
/// adds one, leaving the loop resets it to 0. With nested loops it packs one 20-bit round counter per
/// nesting level (outermost in the low bits): an inner loop's `continue` counts in its own field,
/// leaving it clears that field, so the enclosing loop's next round starts the inner loop afresh
/// under a number never used before.
struct IterationNumbering: Sendable {
    static let bitsPerLevel = 20
    /// Levels that fit in a 64-bit iteration number with room to spare.
    static let maximumDepth = 3
    /// Rounds one nested level can count.
    static let maximumNestedRounds = (1 << bitsPerLevel) - 1

    let loops: LoopNesting

    init(_ plan: CompiledBlueprint) {
        loops = plan.loops
    }

    private var packed: Bool { loops.maxDepth > 1 }

    private func shift(_ depth: Int) -> Int { Self.bitsPerLevel * (max(1, depth) - 1) }

    /// The round of the loop at `depth` within `iteration` (0 before its first `continue`).
    func round(of iteration: Int, depth: Int) -> Int {
        packed ? (iteration >> shift(depth)) & Self.maximumNestedRounds : iteration
    }

    /// The iteration of the next round of the loop at `depth`.
    func next(after iteration: Int, depth: Int) -> Int {
        packed ? iteration + (1 << shift(depth)) : iteration + 1
    }

    /// The iteration after leaving the loop at `depth`.
    func leaving(_ iteration: Int, depth: Int) -> Int {
        packed ? iteration & ~(Self.maximumNestedRounds << shift(depth)) : 0
    }

    /// The most rounds a loop can count here (`nil`: no limit beyond its cap).
    var roundLimit: Int? { packed ? Self.maximumNestedRounds : nil }
}

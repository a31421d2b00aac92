/// Generates large blueprint texts for the compiler benchmark.
enum BlueprintGenerator {
    enum Shape: String {
        /// n0 → n1 → … → n(N-1).
        case chain
        /// A DAG with 3 edges per node: i → i+1 plus two distinct random later nodes (fixed seed).
        case dag
    }

    /// The YAML text and its edge count.
    static func yaml(shape: Shape, nodes: Int, seed: UInt64 = 42) -> (text: String, edges: Int) {
        var out = "id: \(shape.rawValue)-\(nodes)\nversion: \"1\"\nnodes:\n"
        out.reserveCapacity(nodes * 120)
        for i in 0..<nodes {
            out += "  - id: n\(i)\n    uses: step\n"
        }
        out += "edges:\n"
        var edges = 0
        func edge(_ s: Int, _ t: Int) {
            out += "  - source: n\(s)\n    target: n\(t)\n"
            edges += 1
        }
        switch shape {
        case .chain:
            for i in 0..<max(0, nodes - 1) { edge(i, i + 1) }
        case .dag:
            var rng = SplitMix64(state: seed)
            for i in 0..<max(0, nodes - 1) {
                edge(i, i + 1)
                let span = nodes - i - 2  // later nodes other than i+1
                guard span > 0 else { continue }
                let a = i + 2 + Int(rng.next() % UInt64(span))
                edge(i, a)
                guard span > 1 else { continue }
                var b = i + 2 + Int(rng.next() % UInt64(span))
                if b == a { b = a + 1 < nodes ? a + 1 : i + 2 }
                if b != a { edge(i, b) }
            }
        }
        return (out, edges)
    }

    struct SplitMix64 {
        var state: UInt64
        mutating func next() -> UInt64 {
            state &+= 0x9E37_79B9_7F4A_7C15
            var z = state
            z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
            z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
            return z ^ (z >> 31)
        }
    }
}

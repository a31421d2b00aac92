import FlowcraftModel
import Testing

@testable import FlowcraftCompiler

/// Deterministic pseudo-random numbers (SplitMix64) so every run mutates the same way.
struct SeededGenerator: RandomNumberGenerator {
    var state: UInt64
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}

@Suite("Compiler fuzzing")
struct CompilerFuzzTests {
    static let punctuation: [UInt8] = Array("[]{}:-,&*!|>'\"#%@`?<\n\t ".utf8)

    /// One random edit: truncation, byte flip, structural character, duplicated or removed line.
    static func mutate(_ input: [UInt8], _ rng: inout SeededGenerator) -> [UInt8] {
        var bytes = input
        guard !bytes.isEmpty else { return bytes }
        switch rng.next() % 6 {
        case 0:
            bytes.removeSubrange(Int.random(in: 0..<bytes.count, using: &rng)...)
        case 1:
            bytes[Int.random(in: 0..<bytes.count, using: &rng)] = UInt8.random(in: 0...255, using: &rng)
        case 2:
            let p = punctuation[Int.random(in: 0..<punctuation.count, using: &rng)]
            bytes.insert(p, at: Int.random(in: 0...bytes.count, using: &rng))
        default:
            var lines = bytes.split(separator: UInt8(ascii: "\n"), omittingEmptySubsequences: false).map(Array.init)
            let i = Int.random(in: 0..<lines.count, using: &rng)
            switch rng.next() % 3 {
            case 0: lines.insert(lines[i], at: i)
            case 1: lines.remove(at: i)
            default:
                let j = Int.random(in: 0..<lines.count, using: &rng)
                lines.swapAt(i, j)
            }
            bytes = Array(lines.joined(separator: [UInt8(ascii: "\n")]))
        }
        return bytes
    }

    @Test func randomMutationsNeverCrashOrHang() {
        let seeds = SampleBlueprints.all.map { ($0.path, Array($0.text.utf8)) }
        var rng = SeededGenerator(state: 0xF10C_4AF7)
        let compiler = BlueprintCompiler()
        var withErrors = 0
        var runs = 0
        for round in 0..<4_000 {
            let (path, seed) = seeds[round % seeds.count]
            var bytes = seed
            for _ in 0..<(1 + Int(rng.next() % 4)) { bytes = Self.mutate(bytes, &rng) }
            let result = compiler.compile(sourceBytes: [(path, bytes)])
            runs += 1
            if result.hasErrors { withErrors += 1 }
            // Every diagnostic points into the file that was compiled (or nowhere).
            for d in result.diagnostics {
                if let location = d.location {
                    #expect(location.file == path)
                    #expect(location.line >= 1 && location.column >= 1)
                }
            }
        }
        #expect(runs == 4_000)
        #expect(withErrors > 0)
    }

    @Test func hostileShapesStayBounded() {
        var hostile: [(String, String)] = []
        var bomb = "a0: &a0 [x, x, x, x, x, x, x, x, x, x]\n"
        for i in 1...15 { bomb += "a\(i): &a\(i) [" + Array(repeating: "*a\(i - 1)", count: 10).joined(separator: ",") + "]\n" }
        hostile.append(("bomb.yaml", bomb))
        hostile.append(("deep.yaml", String(repeating: "[", count: 200_000)))
        hostile.append(("deepmap.yaml", String(repeating: "{a: ", count: 100_000)))
        hostile.append(("mergebomb.yaml", "m: &m {a: 1}\n" + (0..<2000).map { "k\($0): {<<: [*m, *m, *m]}" }.joined(separator: "\n")))
        hostile.append(("nodes-alias.yaml", "x-n: &n [{id: a, uses: x}]\nnodes: *n\nedges: *n\n"))
        let result = BlueprintCompiler().compile(sources: hostile)
        #expect(result.diagnostics.contains { $0.code == .yamlSyntax && $0.location?.file == "bomb.yaml" })
        #expect(result.diagnostics.contains { $0.code == .yamlSyntax && $0.location?.file == "deep.yaml" })
        #expect(result.diagnostics.contains { $0.code == .yamlSyntax && $0.location?.file == "deepmap.yaml" })
    }
}

import Testing

/// Golden-file mismatches print a unified diff of the lines that differ.
@Suite("Unified diff of golden-file mismatches")
struct UnifiedDiffTests {
    @Test("a changed line shows as - and + lines under the two labels")
    func changedLine() {
        let diff = UnifiedDiff.of(expected: "a\nb\nc\n", actual: "a\nB\nc\n", expectedLabel: "golden/x", actualLabel: "generated/x")
        #expect(diff.contains("--- golden/x"))
        #expect(diff.contains("+++ generated/x"))
        #expect(diff.contains("\n-b\n"))
        #expect(diff.contains("\n+B\n"))
        #expect(!diff.contains("-a\n"))
    }

    @Test("equal texts give no diff")
    func equal() {
        #expect(UnifiedDiff.of(expected: "same\n", actual: "same\n").isEmpty)
    }

    @Test("without diff, the first differing line is named")
    func fallback() {
        #expect(UnifiedDiff.firstDifference(expected: "a\nb", actual: "a\nc") == "line 2:\n-b\n+c")
    }
}

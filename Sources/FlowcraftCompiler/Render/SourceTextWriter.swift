/// Accumulates indented lines; the only place that knows the indentation unit.
struct SourceTextWriter {
    static let indentUnit = "    "
    private(set) var text = ""

    mutating func line(_ content: String, _ level: Int) {
        for _ in 0..<max(0, level) { text += Self.indentUnit }
        text += content
        text += "\n"
    }

    /// An empty line (never two in a row, never trailing whitespace).
    mutating func blank() {
        if text.isEmpty || text.hasSuffix("\n\n") { return }
        text += "\n"
    }
}

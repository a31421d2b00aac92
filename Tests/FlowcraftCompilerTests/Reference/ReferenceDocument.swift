import Foundation

/// The blueprint reference (`Sources/Flowcraft/Flowcraft.docc/BlueprintReference.md`) read as the
/// tests need it: its text, and its diagnostic examples.
///
/// An example is a fenced `yaml` block whose first line is `# expect: CODE`, followed by a fenced
/// `text` block holding the diagnostics it yields, one per line. Directives on the lines after
/// `# expect:` set how the test compiles it: `# limit: N` (maximum input bytes), `# encoding: latin1`,
/// `# generate: true` (also run code generation), `# path: P` (compile a path instead of the text).
/// `# file: NAME` starts a file of its own; otherwise the whole block is `example.yaml`.
struct ReferenceDocument {
    struct Example {
        var code: String
        /// 1-based line of the `# expect:` line in the document, for failure messages.
        var line: Int
        var files: [(path: String, text: String)]
        var directives: [String: String]
        var expected: [String]
    }

    static let packageRoot = URL(fileURLWithPath: #filePath).resolvingSymlinksInPath()
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
    static let path = packageRoot.appending(path: "Sources/Flowcraft/Flowcraft.docc/BlueprintReference.md")

    let text: String
    let examples: [Example]
    /// Fenced blocks that are malformed examples (no `text` block after them), by line.
    let problems: [String]

    init(text: String) {
        self.text = text
        let lines = text.components(separatedBy: "\n")
        var examples: [Example] = []
        var problems: [String] = []
        var i = 0
        func block(from start: Int) -> (body: [String], end: Int) {
            var body: [String] = []
            var j = start + 1
            while j < lines.count, lines[j].trimmingCharacters(in: .whitespaces) != "```" {
                body.append(lines[j])
                j += 1
            }
            return (body, j)
        }
        while i < lines.count {
            guard lines[i] == "```yaml" else {
                i += 1
                continue
            }
            let (body, end) = block(from: i)
            let startLine = i + 2
            i = end + 1
            guard let first = body.first, first.hasPrefix("# expect: ") else { continue }
            let code = String(first.dropFirst("# expect: ".count)).trimmingCharacters(in: .whitespaces)
            var directives: [String: String] = [:]
            for line in body.dropFirst() {
                guard line.hasPrefix("# "), let colon = line.firstIndex(of: ":") else { break }
                let name = String(line[line.index(line.startIndex, offsetBy: 2)..<colon])
                guard name != "file" else { break }
                directives[name] = line[line.index(after: colon)...].trimmingCharacters(in: .whitespaces)
            }
            var files: [(path: String, text: String)] = []
            if body.contains(where: { $0.hasPrefix("# file: ") }) {
                for line in body {
                    if line.hasPrefix("# file: ") {
                        files.append((String(line.dropFirst("# file: ".count)), ""))
                    } else if !files.isEmpty {
                        files[files.count - 1].text += line + "\n"
                    }
                }
            } else {
                files = [("example.yaml", body.joined(separator: "\n") + "\n")]
            }
            // The next fenced block must be the `text` block of expected diagnostics.
            var j = i
            while j < lines.count, !lines[j].hasPrefix("```") { j += 1 }
            guard j < lines.count, lines[j] == "```text" else {
                problems.append("the example for \(code) at line \(startLine) has no ```text block after it")
                continue
            }
            let (expected, textEnd) = block(from: j)
            i = textEnd + 1
            examples.append(Example(code: code, line: startLine, files: files, directives: directives,
                                    expected: expected.filter { !$0.isEmpty }))
        }
        self.examples = examples
        self.problems = problems
    }

    static func load() throws -> ReferenceDocument {
        ReferenceDocument(text: try String(contentsOf: path, encoding: .utf8))
    }

    /// Every diagnostic code the compiler's sources declare (`… DiagnosticCode = "CODE"`), so that a
    /// code added anywhere in the compiler must be documented.
    static func declaredCodes() throws -> Set<String> {
        let sources = packageRoot.appending(path: "Sources/FlowcraftCompiler")
        var codes: Set<String> = []
        let enumerator = FileManager.default.enumerator(at: sources, includingPropertiesForKeys: nil)
        while let url = enumerator?.nextObject() as? URL {
            guard url.pathExtension == "swift" else { continue }
            let source = try String(contentsOf: url, encoding: .utf8)
            for line in source.components(separatedBy: "\n") {
                guard let range = line.range(of: "DiagnosticCode = \"") else { continue }
                let rest = line[range.upperBound...]
                if let quote = rest.firstIndex(of: "\"") { codes.insert(String(rest[..<quote])) }
            }
        }
        return codes
    }
}

import Foundation

/// Reads `flowcraft-config.yaml`. Only one key is understood, so a few lines of parsing do (the
/// plugin cannot link the compiler's YAML parser):
///
/// ```yaml
/// blueprints: [../../Blueprints]   # or a block list, or a single path
/// ```
enum FlowcraftConfig {
    struct Error: Swift.Error, CustomStringConvertible {
        var description: String
        init(_ description: String) { self.description = description }
    }

    static func blueprintDirectories(in file: URL) throws -> [String] {
        guard let data = FileManager.default.contents(atPath: file.path), let text = String(data: data, encoding: .utf8) else {
            throw Error("\(file.path):1:1: error: cannot read the Flowcraft configuration")
        }
        var directories: [String] = []
        var inList = false
        for (index, rawLine) in text.split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
            let line = stripComment(String(rawLine))
            let trimmed = line.trimmingCharacters(in: .whitespaces)
            if trimmed.isEmpty { continue }
            if inList, trimmed.hasPrefix("-") {
                directories.append(unquote(String(trimmed.dropFirst())))
                continue
            }
            inList = false
            guard !line.hasPrefix(" "), let colon = trimmed.firstIndex(of: ":") else {
                throw Error("\(file.path):\(index + 1):1: error: expected 'blueprints: [DIRECTORY, …]'")
            }
            let key = trimmed[..<colon].trimmingCharacters(in: .whitespaces)
            let value = trimmed[trimmed.index(after: colon)...].trimmingCharacters(in: .whitespaces)
            guard key == "blueprints" else {
                throw Error("\(file.path):\(index + 1):1: error: unknown key '\(key)'; the only key is 'blueprints'")
            }
            if value.isEmpty {
                inList = true
            } else if value.hasPrefix("[") && value.hasSuffix("]") {
                directories += value.dropFirst().dropLast().split(separator: ",").map { unquote(String($0)) }
                    .filter { !$0.isEmpty }
            } else {
                directories.append(unquote(value))
            }
        }
        return directories
    }

    private static func stripComment(_ line: String) -> String {
        guard let hash = line.firstIndex(of: "#") else { return line }
        if hash == line.startIndex || line[line.index(before: hash)] == " " { return String(line[..<hash]) }
        return line
    }

    private static func unquote(_ text: String) -> String {
        var value = text.trimmingCharacters(in: .whitespaces)
        if value.count >= 2, (value.hasPrefix("\"") && value.hasSuffix("\"")) || (value.hasPrefix("'") && value.hasSuffix("'")) {
            value = String(value.dropFirst().dropLast())
        }
        return value
    }
}

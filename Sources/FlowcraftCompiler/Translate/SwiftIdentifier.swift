/// Turns any blueprint key (`llm-process`, `class`, `2fa`, `größe`, `🚀`) into a valid Swift identifier.
///
/// Keys are split into words at every character that cannot appear in an identifier (and at `_`);
/// letters and digits of any script are kept, other symbols are spelled as `U` + hex code point so the
/// mapping is deterministic and needs no tables. Type names are UpperCamelCase, members lowerCamelCase;
/// keywords are escaped with backticks; names that cannot be escaped get a trailing `_`. Distinct keys
/// can map to the same name — `IdentifierScope` reports that as `IDENTIFIER_COLLISION`.
package enum SwiftIdentifier {
    /// `llm-process` → `LlmProcess`, `order` → `Order`, `2fa` → `_2fa`.
    package static func typeName(_ key: String) -> String {
        let words = self.words(key)
        var name = words.map(capitalizedFirst).joined()
        if name.isEmpty { name = "_" }
        if let first = name.unicodeScalars.first, !isIdentifierStart(first) { name = "_" + name }
        if name == "_" || reservedTypeNames.contains(name) { name += "_" }
        return name
    }

    /// `llm-process` → `llmProcess`, `HTTPRequest` → `httpRequest`, `class` → `` `class` ``.
    package static func memberName(_ key: String) -> String {
        let words = self.words(key)
        var name = ""
        for (i, word) in words.enumerated() {
            name += i == 0 ? lowercasedLeadingCapitals(word) : capitalizedFirst(word)
        }
        if name.isEmpty { name = "_" }
        if let first = name.unicodeScalars.first, !isIdentifierStart(first) { name = "_" + name }
        return escapedMember(name)
    }

    /// A member name with backticks removed (for building longer names and comparing).
    package static func unescaped(_ name: String) -> String {
        name.hasPrefix("`") && name.hasSuffix("`") && name.count >= 2 ? String(name.dropFirst().dropLast()) : name
    }

    /// Escapes a lowerCamelCase name that is a keyword; names that cannot be escaped get `_`.
    static func escapedMember(_ name: String) -> String {
        if name == "_" || unescapableNames.contains(name) { return name + "_" }
        if keywords.contains(name) { return "`" + name + "`" }
        return name
    }

    // MARK: - Words

    static func words(_ key: String) -> [String] {
        var words: [String] = []
        var current = String.UnicodeScalarView()
        func flush() {
            if !current.isEmpty { words.append(String(current)) }
            current = String.UnicodeScalarView()
        }
        for scalar in key.unicodeScalars {
            if scalar == "_" || scalar.properties.isWhitespace {
                flush()
            } else if isIdentifierContinue(scalar) {
                current.append(scalar)
            } else if scalar.isASCII {
                // ASCII punctuation (`-`, `.`, `/`, `:`, …) only separates words.
                flush()
            } else {
                // Emoji and other symbols: spelled out so different symbols stay different names.
                flush()
                words.append("U" + String(scalar.value, radix: 16, uppercase: true))
            }
        }
        flush()
        return words
    }

    static func isIdentifierStart(_ s: Unicode.Scalar) -> Bool {
        s == "_" || (s.isASCII ? (("a"..."z").contains(s) || ("A"..."Z").contains(s)) : s.properties.isXIDStart)
    }

    static func isIdentifierContinue(_ s: Unicode.Scalar) -> Bool {
        if s.isASCII { return ("a"..."z").contains(s) || ("A"..."Z").contains(s) || ("0"..."9").contains(s) }
        return s.properties.isXIDContinue && !s.properties.isDefaultIgnorableCodePoint
    }

    static func capitalizedFirst(_ word: String) -> String {
        guard let first = word.first else { return word }
        return first.uppercased() + word.dropFirst()
    }

    /// `Order` → `order`, `HTTPRequest` → `httpRequest`, `URL` → `url`, `iOS` → `iOS`.
    static func lowercasedLeadingCapitals(_ word: String) -> String {
        let characters = Array(word)
        var upperRun = 0
        while upperRun < characters.count, characters[upperRun].isUppercase { upperRun += 1 }
        guard upperRun > 0 else { return word }
        // Keep the last capital of a run when it starts the next word: `HTTPRequest` → `http` + `Request`.
        let lowerCount = upperRun == characters.count || upperRun == 1 ? upperRun : upperRun - 1
        return characters[..<lowerCount].map { $0.lowercased() }.joined() + String(characters[lowerCount...])
    }

    // MARK: - Reserved words

    /// Keywords that need backticks as member or case names.
    static let keywords: Set<String> = [
        "associatedtype", "borrowing", "class", "consuming", "deinit", "enum", "extension", "fileprivate", "func",
        "import", "init", "inout", "internal", "let", "nonisolated", "open", "operator", "private", "precedencegroup",
        "protocol", "public", "rethrows", "static", "struct", "subscript", "typealias", "var", "break", "case",
        "catch", "continue", "default", "defer", "do", "else", "fallthrough", "for", "guard", "if", "in", "repeat",
        "return", "throw", "switch", "where", "while", "as", "false", "is", "nil", "super", "throws", "true",
        "try", "await", "async", "any", "some", "each", "repeat", "package", "macro", "actor",
    ]

    /// Names that are not usable even with backticks in every position we generate.
    static let unescapableNames: Set<String> = ["self", "Self", "init", "deinit", "subscript", "super", "Type", "Protocol"]

    /// Type names that would break the generated code or shadow what it relies on.
    static let reservedTypeNames: Set<String> = [
        "Self", "Any", "Type", "Protocol", "Never", "Sendable", "Codable", "Hashable", "String", "Int", "Double",
        "Bool", "Array", "Dictionary", "Optional", "Result", "Error", "Task", "JSONValue", "NodeContext",
        "NodeResult", "NodeRegistry", "NodeDefinition", "EdgeDefinition", "WorkflowBlueprint", "SourceLocation",
        "NodeConfig", "BlueprintMetadata", "FatalNodeError",
    ]
}

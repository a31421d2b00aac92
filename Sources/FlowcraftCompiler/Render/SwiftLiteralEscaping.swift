/// Swift literal spellings for arbitrary data. Every string from a blueprint passes through here, so a
/// key like `"\(evil)"` or a newline can never break out of a literal.
enum SwiftLiteralEscaping {
    /// `text` as a quoted Swift string literal (backslash escapes, no interpolation possible).
    static func stringLiteral(_ text: String) -> String {
        var out = "\""
        out.reserveCapacity(text.utf8.count + 2)
        for scalar in text.unicodeScalars {
            switch scalar {
            case "\"": out += "\\\""
            case "\\": out += "\\\\"
            case "\n": out += "\\n"
            case "\r": out += "\\r"
            case "\t": out += "\\t"
            case "\0": out += "\\0"
            default:
                // Control characters, and line/paragraph separators which would end a line in editors.
                if scalar.value < 0x20 || scalar.value == 0x7F || (0x2028...0x2029).contains(scalar.value)
                    || (0x202A...0x202E).contains(scalar.value) || (0x2066...0x2069).contains(scalar.value)
                {
                    out += "\\u{" + String(scalar.value, radix: 16) + "}"
                } else {
                    out.unicodeScalars.append(scalar)
                }
            }
        }
        out += "\""
        return out
    }

    /// A `Double` literal that reads back as the same value (`.infinity`/`.nan` spelled out).
    static func doubleLiteral(_ value: Double) -> String {
        if value.isNaN { return "Double.nan" }
        if value.isInfinite { return value < 0 ? "-Double.infinity" : "Double.infinity" }
        let text = "\(value)"
        // `1e+20` is a valid float literal; `5.0` keeps its point so it stays a Double.
        return text
    }

    /// Text safe inside a `///` or `//` comment: one line, no control characters.
    static func commentText(_ text: String) -> String {
        var out = ""
        for scalar in text.unicodeScalars {
            if scalar.value < 0x20 || scalar.value == 0x7F || (0x2028...0x2029).contains(scalar.value)
                || (0x202A...0x202E).contains(scalar.value) || (0x2066...0x2069).contains(scalar.value)
            {
                out += " "
            } else {
                out.unicodeScalars.append(scalar)
            }
        }
        return out
    }
}

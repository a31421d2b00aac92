/// Parses the text of a safe expression (the blueprint reference, "Expressions") into a `WorkflowExpression`.
///
/// Grammar, loosest binding first:
/// ```
/// expression := or
/// or         := and ( "||" and )*
/// and        := equality ( "&&" equality )*
/// equality   := relational ( ("==" | "!=") relational )*      // "===" and "!==" are accepted as aliases
/// relational := unary ( ("<" | "<=" | ">" | ">=") unary )*
/// unary      := ("!" | "-") unary | postfix
/// postfix    := primary ( "." name | "[" expression "]" )*
/// primary    := number | string | "true" | "false" | "null" | "undefined" | identifier | "(" expression ")"
/// ```
/// - Identifiers are ASCII: `[A-Za-z_$][A-Za-z0-9_$]*`. Keys holding other characters (`user-id`,
///   `_outputs.node-a`) are written with brackets: `context["user-id"]`.
/// - A name after `.` may also be all digits (`items.0`), as Flowcraft's property paths allow.
/// - Numbers: `12`, `-3`, `2.5`, `1e3`. Integers too large for `Int` become doubles.
/// - Strings: single or double quotes with the escapes `\\ \' \" \/ \b \f \n \r \t \uXXXX`.
/// - There are no function calls, assignments or arithmetic beyond unary minus: nothing can run code.
///
/// Hostile input is bounded: nesting and tree height are limited to `maximumDepth`, and parsing is
/// linear in the text's length.
public enum ExpressionParser {
    /// The deepest tree (and nesting of parentheses, brackets and unary operators) accepted.
    public static let maximumDepth = 256

    /// Parses `text`, throwing an error whose `offset` counts Unicode scalars from the text's start.
    public static func parse(_ text: String) throws(ExpressionSyntaxError) -> WorkflowExpression {
        var parser = Parser(Array(text.unicodeScalars))
        let node = try parser.parseAll()
        return WorkflowExpression(text: text, node: node.node)
    }
}

/// A node together with the height of the tree below it, so the height bound is checked as the tree grows.
private struct Sized {
    var node: ExpressionNode
    var height: Int
}

private struct Parser {
    let s: [Unicode.Scalar]
    var i = 0
    var nesting = 0

    init(_ s: [Unicode.Scalar]) { self.s = s }

    // MARK: Entry

    mutating func parseAll() throws(ExpressionSyntaxError) -> Sized {
        skipSpaces()
        if i >= s.count { throw ExpressionSyntaxError(offset: i, message: "empty expression") }
        let result = try parseOr()
        skipSpaces()
        if i < s.count {
            if s[i] == ")" { throw ExpressionSyntaxError(offset: i, message: "unmatched ')'") }
            if s[i] == "]" { throw ExpressionSyntaxError(offset: i, message: "unmatched ']'") }
            throw ExpressionSyntaxError(offset: i, message: "unexpected \(describe(at: i)) after the expression")
        }
        return result
    }

    // MARK: Binary levels

    mutating func parseOr() throws(ExpressionSyntaxError) -> Sized {
        var lhs = try parseAnd()
        while true {
            skipSpaces()
            let start = i
            guard take("||") else { return lhs }
            let rhs = try parseAnd()
            lhs = try combine(.or, lhs, rhs, at: start)
        }
    }

    mutating func parseAnd() throws(ExpressionSyntaxError) -> Sized {
        var lhs = try parseEquality()
        while true {
            skipSpaces()
            let start = i
            guard take("&&") else { return lhs }
            let rhs = try parseEquality()
            lhs = try combine(.and, lhs, rhs, at: start)
        }
    }

    mutating func parseEquality() throws(ExpressionSyntaxError) -> Sized {
        var lhs = try parseRelational()
        while true {
            skipSpaces()
            let start = i
            let op: ExpressionOperator
            if take("===") || take("==") {
                op = .equal
            } else if take("!==") || take("!=") {
                op = .notEqual
            } else if i < s.count, s[i] == "=" {
                throw ExpressionSyntaxError(offset: i, message: "assignment is not allowed; use '==' to compare")
            } else {
                return lhs
            }
            let rhs = try parseRelational()
            lhs = try combine(op, lhs, rhs, at: start)
        }
    }

    mutating func parseRelational() throws(ExpressionSyntaxError) -> Sized {
        var lhs = try parseUnary()
        while true {
            skipSpaces()
            let start = i
            let op: ExpressionOperator
            if take("<=") {
                op = .lessOrEqual
            } else if take(">=") {
                op = .greaterOrEqual
            } else if take("<") {
                op = .less
            } else if take(">") {
                op = .greater
            } else {
                return lhs
            }
            let rhs = try parseUnary()
            lhs = try combine(op, lhs, rhs, at: start)
        }
    }

    // MARK: Unary and postfix

    mutating func parseUnary() throws(ExpressionSyntaxError) -> Sized {
        skipSpaces()
        let start = i
        if i < s.count, s[i] == "!", !(peek(1) == "=") {
            i += 1
            try enter(at: start)
            let operand = try parseUnary()
            nesting -= 1
            return try grow(.not(operand.node), operand.height + 1, at: start)
        }
        if i < s.count, s[i] == "-" {
            i += 1
            try enter(at: start)
            let operand = try parseUnary()
            nesting -= 1
            // Fold negative number literals so `-3` is a literal, as authors expect.
            switch operand.node {
            case .literal(.int(let v)): return Sized(node: .literal(.int(-v)), height: 1)
            case .literal(.double(let v)): return Sized(node: .literal(.double(-v)), height: 1)
            default: return try grow(.negate(operand.node), operand.height + 1, at: start)
            }
        }
        return try parsePostfix()
    }

    mutating func parsePostfix() throws(ExpressionSyntaxError) -> Sized {
        var base = try parsePrimary()
        while true {
            skipSpaces()
            guard i < s.count else { return base }
            let start = i
            if s[i] == "." {
                i += 1
                skipSpaces()
                let name = try memberName()
                base = try grow(.member(base.node, name), base.height + 1, at: start)
            } else if s[i] == "[" {
                i += 1
                try enter(at: start)
                let index = try parseOr()
                nesting -= 1
                skipSpaces()
                guard i < s.count, s[i] == "]" else {
                    throw ExpressionSyntaxError(offset: i, message: "expected ']' to close the '[' at offset \(start)")
                }
                i += 1
                let height = max(base.height, index.height) + 1
                if case .literal(.string(let key)) = index.node {
                    base = try grow(.member(base.node, key), height, at: start)
                } else {
                    base = try grow(.subscripted(base.node, index.node), height, at: start)
                }
            } else if s[i] == "(" {
                throw ExpressionSyntaxError(offset: i, message: "function calls are not supported")
            } else {
                return base
            }
        }
    }

    mutating func memberName() throws(ExpressionSyntaxError) -> String {
        let start = i
        if i < s.count, ExpressionLexicon.isIdentifierStart(s[i]) {
            while i < s.count, ExpressionLexicon.isIdentifierContinue(s[i]) { i += 1 }
        } else if i < s.count, ExpressionLexicon.isDigit(s[i]) {
            while i < s.count, ExpressionLexicon.isDigit(s[i]) { i += 1 }
            if i < s.count, ExpressionLexicon.isIdentifierContinue(s[i]) {
                throw ExpressionSyntaxError(offset: i, message: "unexpected \(describe(at: i)) in a member name")
            }
        } else {
            let hint = i < s.count && s[i] == "-" ? "; write keys holding '-' as [\"key\"]" : ""
            throw ExpressionSyntaxError(offset: i, message: "expected a member name after '.'\(hint)")
        }
        if i < s.count, s[i] == "-" {
            throw ExpressionSyntaxError(
                offset: i, message: "'-' cannot appear in a name; write keys holding '-' as [\"key\"]")
        }
        return String(String.UnicodeScalarView(s[start..<i]))
    }

    // MARK: Primary

    mutating func parsePrimary() throws(ExpressionSyntaxError) -> Sized {
        skipSpaces()
        let start = i
        guard i < s.count else { throw ExpressionSyntaxError(offset: i, message: "expected a value") }
        let c = s[i]
        if c == "(" {
            i += 1
            try enter(at: start)
            let inner = try parseOr()
            nesting -= 1
            skipSpaces()
            guard i < s.count, s[i] == ")" else {
                throw ExpressionSyntaxError(offset: i, message: "expected ')' to close the '(' at offset \(start)")
            }
            i += 1
            return inner
        }
        if c == "\"" || c == "'" {
            return Sized(node: .literal(.string(try stringLiteral())), height: 1)
        }
        if ExpressionLexicon.isDigit(c) {
            return Sized(node: .literal(try numberLiteral()), height: 1)
        }
        if ExpressionLexicon.isIdentifierStart(c) {
            while i < s.count, ExpressionLexicon.isIdentifierContinue(s[i]) { i += 1 }
            let name = String(String.UnicodeScalarView(s[start..<i]))
            switch name {
            case "true": return Sized(node: .literal(.bool(true)), height: 1)
            case "false": return Sized(node: .literal(.bool(false)), height: 1)
            case "null", "undefined": return Sized(node: .literal(.null), height: 1)
            default:
                if i < s.count, s[i] == "-" {
                    throw ExpressionSyntaxError(
                        offset: i, message: "'-' cannot appear in a name; write keys holding '-' as [\"key\"]")
                }
                return Sized(node: .root(name), height: 1)
            }
        }
        throw ExpressionSyntaxError(offset: i, message: "expected a value but found \(describe(at: i))")
    }

    mutating func numberLiteral() throws(ExpressionSyntaxError) -> JSONValue {
        let start = i
        var isInteger = true
        while i < s.count, ExpressionLexicon.isDigit(s[i]) { i += 1 }
        if i < s.count, s[i] == ".", i + 1 < s.count, ExpressionLexicon.isDigit(s[i + 1]) {
            isInteger = false
            i += 1
            while i < s.count, ExpressionLexicon.isDigit(s[i]) { i += 1 }
        }
        if i < s.count, s[i] == "e" || s[i] == "E" {
            var j = i + 1
            if j < s.count, s[j] == "+" || s[j] == "-" { j += 1 }
            guard j < s.count, ExpressionLexicon.isDigit(s[j]) else {
                throw ExpressionSyntaxError(offset: i, message: "malformed exponent in number")
            }
            isInteger = false
            i = j
            while i < s.count, ExpressionLexicon.isDigit(s[i]) { i += 1 }
        }
        if i < s.count, ExpressionLexicon.isIdentifierStart(s[i]) {
            throw ExpressionSyntaxError(offset: i, message: "unexpected \(describe(at: i)) after a number")
        }
        let text = String(String.UnicodeScalarView(s[start..<i]))
        if isInteger, let value = Int(text) { return .int(value) }
        guard let value = Double(text), value.isFinite else {
            throw ExpressionSyntaxError(offset: start, message: "number '\(text)' is out of range")
        }
        return .double(value)
    }

    mutating func stringLiteral() throws(ExpressionSyntaxError) -> String {
        let start = i
        let quote = s[i]
        i += 1
        var out = String.UnicodeScalarView()
        while i < s.count {
            let c = s[i]
            if c == quote {
                i += 1
                return String(out)
            }
            if c == "\\" {
                let escapeStart = i
                i += 1
                guard i < s.count else { break }
                let e = s[i]
                i += 1
                switch e {
                case "\\", "\"", "'", "/": out.append(e)
                case "n": out.append("\n")
                case "t": out.append("\t")
                case "r": out.append("\r")
                case "b": out.append("\u{08}")
                case "f": out.append("\u{0C}")
                case "u": out.append(try unicodeEscape(escapeStart))
                default:
                    throw ExpressionSyntaxError(offset: escapeStart, message: "unknown escape '\\\(e)' in string")
                }
                continue
            }
            out.append(c)
            i += 1
        }
        throw ExpressionSyntaxError(offset: start, message: "unterminated string")
    }

    /// Reads the `XXXX` of `\uXXXX` (and a following low surrogate escape when the first is high).
    mutating func unicodeEscape(_ escapeStart: Int) throws(ExpressionSyntaxError) -> Unicode.Scalar {
        let high = try hex4(escapeStart)
        if (0xD800...0xDBFF).contains(high) {
            guard i + 1 < s.count, s[i] == "\\", s[i + 1] == "u" else {
                throw ExpressionSyntaxError(offset: escapeStart, message: "unpaired surrogate in '\\u' escape")
            }
            let lowStart = i
            i += 2
            let low = try hex4(lowStart)
            guard (0xDC00...0xDFFF).contains(low) else {
                throw ExpressionSyntaxError(offset: lowStart, message: "unpaired surrogate in '\\u' escape")
            }
            let value = 0x10000 + ((high - 0xD800) << 10) + (low - 0xDC00)
            if let scalar = Unicode.Scalar(value) { return scalar }
        } else if let scalar = Unicode.Scalar(high) {
            return scalar
        }
        throw ExpressionSyntaxError(offset: escapeStart, message: "invalid '\\u' escape")
    }

    mutating func hex4(_ escapeStart: Int) throws(ExpressionSyntaxError) -> UInt32 {
        var value: UInt32 = 0
        for _ in 0..<4 {
            guard i < s.count, s[i].isASCII, let digit = UInt32(String(s[i]), radix: 16) else {
                throw ExpressionSyntaxError(offset: escapeStart, message: "'\\u' needs four hex digits")
            }
            value = value * 16 + digit
            i += 1
        }
        return value
    }

    // MARK: Helpers

    mutating func skipSpaces() {
        while i < s.count, s[i] == " " || s[i] == "\t" || s[i] == "\n" || s[i] == "\r" { i += 1 }
    }

    func peek(_ ahead: Int) -> Unicode.Scalar? { i + ahead < s.count ? s[i + ahead] : nil }

    /// Consumes `token` if the text continues with it.
    mutating func take(_ token: String) -> Bool {
        var j = i
        for scalar in token.unicodeScalars {
            guard j < s.count, s[j] == scalar else { return false }
            j += 1
        }
        i = j
        return true
    }

    mutating func enter(at offset: Int) throws(ExpressionSyntaxError) {
        nesting += 1
        if nesting > ExpressionParser.maximumDepth {
            throw ExpressionSyntaxError(
                offset: offset, message: "expression nests too deeply (more than \(ExpressionParser.maximumDepth) levels)")
        }
    }

    func grow(_ node: ExpressionNode, _ height: Int, at offset: Int) throws(ExpressionSyntaxError) -> Sized {
        if height > ExpressionParser.maximumDepth {
            throw ExpressionSyntaxError(
                offset: offset, message: "expression nests too deeply (more than \(ExpressionParser.maximumDepth) levels)")
        }
        return Sized(node: node, height: height)
    }

    func combine(_ op: ExpressionOperator, _ lhs: Sized, _ rhs: Sized, at offset: Int) throws(ExpressionSyntaxError) -> Sized {
        try grow(.binary(op, lhs.node, rhs.node), max(lhs.height, rhs.height) + 1, at: offset)
    }

    func describe(at index: Int) -> String {
        guard index < s.count else { return "end of expression" }
        let c = s[index]
        switch c {
        case "&": return "'&' (use '&&')"
        case "|": return "'|' (use '||')"
        case "=": return "'=' (use '==')"
        default: return "'\(c)'"
        }
    }
}

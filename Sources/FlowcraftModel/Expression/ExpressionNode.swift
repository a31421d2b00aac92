/// The syntax tree of a parsed `WorkflowExpression`.
///
/// The tree's height is bounded by `ExpressionParser.maximumDepth`, so recursive walks over it
/// (evaluation, hashing, printing) cannot overflow the stack however hostile the source text was.
public indirect enum ExpressionNode: Sendable, Hashable {
    /// `42`, `2.5`, `'text'`, `"text"`, `true`, `false`, `null`.
    case literal(JSONValue)
    /// A root identifier such as `result`, `context` or `input`, resolved by the `ExpressionScope`.
    case root(String)
    /// `base.name` or `base["name"]`: an object member with a fixed name.
    case member(ExpressionNode, String)
    /// `base[index]` where the index is computed (`items[0]`, `items[context.i]`).
    case subscripted(ExpressionNode, ExpressionNode)
    /// `!operand`: the negated truthiness of the operand.
    case not(ExpressionNode)
    /// `-operand`: numeric negation (`null` for non-numbers).
    case negate(ExpressionNode)
    /// A binary operation.
    case binary(ExpressionOperator, ExpressionNode, ExpressionNode)
}

/// The binary operators of the expression language.
public enum ExpressionOperator: String, Sendable, Hashable, CaseIterable {
    /// `||`: true when either side is truthy.
    case or = "||"
    /// `&&`: true when both sides are truthy.
    case and = "&&"
    /// `==`: deep equality of JSON values.
    case equal = "=="
    /// `!=`: deep inequality.
    case notEqual = "!="
    /// `<`: numbers or strings.
    case less = "<"
    /// `<=`: numbers or strings.
    case lessOrEqual = "<="
    /// `>`: numbers or strings.
    case greater = ">"
    /// `>=`: numbers or strings.
    case greaterOrEqual = ">="

    /// Binding strength: higher binds tighter.
    var precedence: Int {
        switch self {
        case .or: return 1
        case .and: return 2
        case .equal, .notEqual: return 3
        case .less, .lessOrEqual, .greater, .greaterOrEqual: return 4
        }
    }
}

extension ExpressionNode: CustomStringConvertible {
    /// A canonical spelling that parses back to the same tree (fully parenthesised binaries).
    public var description: String {
        switch self {
        case .literal(let value): return ExpressionNode.spell(value)
        case .root(let name): return name
        case .member(let base, let name):
            if ExpressionNode.isIdentifier(name) { return "\(base).\(name)" }
            return "\(base)[\(ExpressionNode.quote(name))]"
        case .subscripted(let base, let index): return "\(base)[\(index)]"
        case .not(let operand): return "!\(operand.operandDescription)"
        case .negate(let operand): return "-\(operand.operandDescription)"
        case .binary(let op, let lhs, let rhs): return "(\(lhs) \(op.rawValue) \(rhs))"
        }
    }

    private var operandDescription: String {
        switch self {
        case .literal(.int(let i)) where i < 0: return "(\(self))"
        case .literal(.double(let d)) where d < 0: return "(\(self))"
        case .not, .negate: return "(\(self))"
        default: return description
        }
    }

    static func isIdentifier(_ name: String) -> Bool {
        guard let first = name.unicodeScalars.first, ExpressionLexicon.isIdentifierStart(first) else { return false }
        guard name.unicodeScalars.allSatisfy(ExpressionLexicon.isIdentifierContinue) else { return false }
        return !ExpressionLexicon.keywords.contains(name)
    }

    /// A string literal: the expression language escapes strings as JSON does.
    static func quote(_ s: String) -> String {
        JSONText.serialize(.string(s))
    }

    static func spell(_ value: JSONValue) -> String {
        switch value {
        case .null: return "null"
        case .bool(let b): return b ? "true" : "false"
        case .int(let i): return String(i)
        case .double(let d):
            // Keep a fraction or exponent so the literal reads back as a double.
            let text = "\(d)"
            return text.contains(".") || text.contains("e") || !d.isFinite ? text : text + ".0"
        case .string(let s): return quote(s)
        // Composite literals cannot be written in the language; they never come out of the parser.
        case .array, .object: return "null"
        }
    }
}

/// Character classes shared by the parser and the printer.
enum ExpressionLexicon {
    static let keywords: Set<String> = ["true", "false", "null", "undefined"]

    static func isIdentifierStart(_ c: Unicode.Scalar) -> Bool {
        (c >= "a" && c <= "z") || (c >= "A" && c <= "Z") || c == "_" || c == "$"
    }

    static func isIdentifierContinue(_ c: Unicode.Scalar) -> Bool {
        isIdentifierStart(c) || isDigit(c)
    }

    static func isDigit(_ c: Unicode.Scalar) -> Bool { c >= "0" && c <= "9" }
}

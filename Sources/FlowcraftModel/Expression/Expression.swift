/// A parsed safe expression: an edge `condition` or `transform`, or a loop-controller `condition`.
///
/// The language (the blueprint reference, "Expressions") has paths, literals, comparisons and boolean logic, and nothing that
/// can run code; see `ExpressionParser` for the grammar and `evaluate(in:)` for the semantics.
///
/// ## Roots
/// A path starts at a root identifier that the evaluating engine provides through an
/// `ExpressionScope`. Following Flowcraft:
/// - edge `condition`: `result` (the source node's result: `result.output`, `result.action`),
///   `context` (the whole workflow context), and every top-level context key directly
///   (Flowcraft spreads the context into the scope: `retries > 3`);
/// - edge `transform`: `input` (the source node's output) and `context`;
/// - loop-controller `condition`: `context` and every top-level context key directly.
/// Unknown roots evaluate to `null`. Keys that are not identifiers are reached with brackets:
/// `context["_outputs.fetch-order"]`, `context["user-id"]`.
///
/// Codable as its source text; decoding re-parses it.
///
/// Named `WorkflowExpression` because Foundation declares an `Expression` type too; files that
/// import Foundation would find a bare `Expression` ambiguous.
public struct WorkflowExpression: Sendable, Hashable, Codable, CustomStringConvertible {
    /// The text the expression was parsed from, unchanged.
    public let text: String
    /// The syntax tree.
    public let node: ExpressionNode
    /// The root identifiers the expression reads (`result`, `context`, `retries`, …), so validators
    /// and engines know what it depends on.
    public let referencedRoots: Set<String>

    init(text: String, node: ExpressionNode) {
        self.text = text
        self.node = node
        var roots: Set<String> = []
        WorkflowExpression.collectRoots(node, into: &roots)
        self.referencedRoots = roots
    }

    /// Parses `text`; see `ExpressionParser.parse(_:)`.
    public init(_ text: String) throws(ExpressionSyntaxError) {
        self = try ExpressionParser.parse(text)
    }

    public var description: String { text }

    /// When the expression is a plain path (`result.output.items[0]`), its root and member steps.
    public var path: (root: String, steps: [ExpressionPathStep])? {
        var steps: [ExpressionPathStep] = []
        var current = node
        while true {
            switch current {
            case .root(let name): return (name, steps.reversed())
            case .member(let base, let name):
                steps.append(.member(name))
                current = base
            case .subscripted(let base, .literal(.int(let index))):
                steps.append(.index(index))
                current = base
            default: return nil
            }
        }
    }

    private static func collectRoots(_ node: ExpressionNode, into roots: inout Set<String>) {
        switch node {
        case .literal: break
        case .root(let name): roots.insert(name)
        case .member(let base, _): collectRoots(base, into: &roots)
        case .subscripted(let base, let index):
            collectRoots(base, into: &roots)
            collectRoots(index, into: &roots)
        case .not(let operand), .negate(let operand): collectRoots(operand, into: &roots)
        case .binary(_, let lhs, let rhs):
            collectRoots(lhs, into: &roots)
            collectRoots(rhs, into: &roots)
        }
    }

    public static func == (a: WorkflowExpression, b: WorkflowExpression) -> Bool { a.text == b.text }
    public func hash(into hasher: inout Hasher) { hasher.combine(text) }

    public init(from decoder: any Decoder) throws {
        let text = try decoder.singleValueContainer().decode(String.self)
        do {
            self = try ExpressionParser.parse(text)
        } catch {
            throw DecodingError.dataCorrupted(
                DecodingError.Context(codingPath: decoder.codingPath, debugDescription: error.description))
        }
    }

    public func encode(to encoder: any Encoder) throws {
        var c = encoder.singleValueContainer()
        try c.encode(text)
    }
}

/// One step of a plain path expression.
public enum ExpressionPathStep: Sendable, Hashable {
    /// `.name`, or `['name']`: a key of an object.
    case member(String)
    /// `[0]`: an element of an array.
    case index(Int)
}

/// The expression type under its short name, for files that do not import Foundation (whose own
/// `Expression` makes this name ambiguous there; use `WorkflowExpression`).
public typealias Expression = WorkflowExpression

/// The expressions generated code needs to spell values: literals and calls. Rendering owns the
/// escaping, so any string from a blueprint becomes a valid literal.
package indirect enum SwiftExpression: Sendable, Hashable {
    case string(String)
    case int(Int)
    case double(Double)
    case bool(Bool)
    case `nil`
    case array([SwiftExpression])
    /// `[:]` when empty; keys are expressions, printed in the given order.
    case dictionary([DictionaryElement])
    /// `callee(label: argument, …)`; `callee` is printed as is (`.string`, `NodeDefinition`).
    case call(String, [Argument])
    /// An identifier or member path printed as is (`nil`, `.all`, `self.blueprint`).
    case identifier(String)
    /// `left = right`, `try await value`, … — a prefix printed before an expression.
    case prefixed(String, SwiftExpression)

    package struct Argument: Sendable, Hashable {
        package var label: String?
        package var value: SwiftExpression
        package init(_ label: String?, _ value: SwiftExpression) {
            self.label = label
            self.value = value
        }
    }

    package struct DictionaryElement: Sendable, Hashable {
        package var key: SwiftExpression
        package var value: SwiftExpression
        package init(_ key: SwiftExpression, _ value: SwiftExpression) {
            self.key = key
            self.value = value
        }
    }
}

/// Why an expression's text could not be parsed, and where.
public struct ExpressionSyntaxError: Error, Sendable, Hashable, CustomStringConvertible {
    /// 0-based offset of the problem, counted in Unicode scalars from the start of the expression
    /// text. YAML columns count Unicode scalars too, so a compiler reports the problem at
    /// `column of the expression's first character + offset`.
    public var offset: Int
    /// What is wrong, e.g. "expected ')'".
    public var message: String

    /// An error at `offset` saying `message`.
    public init(offset: Int, message: String) {
        self.offset = offset
        self.message = message
    }

    public var description: String { "\(message) (at offset \(offset))" }
}

/// A statement inside a function body. Bodies stay line-based (they are small and fixed); nesting is
/// structural so the renderer owns indentation and brace balance.
package indirect enum CodeStatement: Sendable, Hashable {
    /// One line of code, printed at the current indentation.
    case line(String)
    /// An expression statement (e.g. a call building a literal), rendered like any expression.
    case expression(SwiftExpression)
    /// `header {` … `}`: the body is indented one level.
    case block(String, [CodeStatement])
    /// `call { parameters in` … `}`: a trailing closure.
    case closure(String, parameters: String, [CodeStatement])
    /// `do {` … `} catch {` … `}`.
    case doCatch([CodeStatement], catch: [CodeStatement])
    /// An empty line.
    case blank
}

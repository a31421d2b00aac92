/// Where a workflow expression is evaluated and which roots it sees there: the one definition the
/// runtime's scopes (`EdgeConditionScope`, `EdgeTransformScope`, `LoopConditionScope`), the
/// distributed engine's routing read (which context keys to fetch) and the compiler's expression
/// checks share.
///
/// - An edge condition sees `result` (`{output, action}` of the completed node), `context` (the whole
///   context) and every context key directly as a root.
/// - An edge transform sees `input` (the source node's output) and `context`; any other root is null.
/// - A loop-controller's condition sees `context` and every context key directly.
package enum ExpressionSite: Sendable, CaseIterable {
    case edgeCondition
    case edgeTransform
    case loopCondition

    /// The root that is the whole context.
    package static let contextRoot = "context"
    /// An edge condition's `{output, action}` of the completed node.
    package static let resultRoot = "result"
    /// An edge transform's source node output.
    package static let inputRoot = "input"

    /// The roots the site binds itself, besides ``contextRoot``.
    package var boundRoots: Set<String> {
        switch self {
        case .edgeCondition: return [Self.resultRoot]
        case .edgeTransform: return [Self.inputRoot]
        case .loopCondition: return []
        }
    }

    /// Whether any other root reads the context key of its name (else it is always null).
    package var contextKeysAreRoots: Bool { self != .edgeTransform }

    /// Every root with a value when context keys are not roots (``boundRoots`` and ``contextRoot``);
    /// `nil` when any name may be a context key.
    package var closedRoots: Set<String>? {
        contextKeysAreRoots ? nil : boundRoots.union([Self.contextRoot])
    }

    /// What an expression with `roots` (``WorkflowExpression/referencedRoots``) reads of the context
    /// here: the whole of it, or these keys.
    package func contextRead(roots: Set<String>) -> (whole: Bool, keys: Set<String>) {
        var keys: Set<String> = []
        for root in roots where !boundRoots.contains(root) {
            if root == Self.contextRoot { return (true, []) }
            if contextKeysAreRoots { keys.insert(root) }
        }
        return (false, keys)
    }
}

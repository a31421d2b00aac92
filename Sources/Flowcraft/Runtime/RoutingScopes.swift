/// Read access to a run's context, as expressions see it.
///
/// Routing sees the context *after* the completing node's writes (its state writes, its output under
/// `_outputs.<node>`, a fallback's output under the failed node too): the in-memory engine reads its
/// live state, which already holds them; the distributed engine reads the keys routing needs from
/// Redis with the commit's writes laid over them (a dictionary).
package protocol ContextReader {
    /// The value under `key`, or `nil`.
    func value(forKey key: String) -> JSONValue?
    /// The whole context (for expressions that read the `context` root).
    var allValues: [String: JSONValue] { get }
}

extension InMemoryWorkflowState: ContextReader {
    package var allValues: [String: JSONValue] { dictionary }
}

extension Dictionary: ContextReader where Key == String, Value == JSONValue {
    package func value(forKey key: String) -> JSONValue? { self[key] }
    package var allValues: [String: JSONValue] { self }
}

/// The roots of an edge condition (`ExpressionSite.edgeCondition`): `result` (`{output, action}` of
/// the completed node), `context`, and every context key directly.
package struct EdgeConditionScope<Context: ContextReader>: ExpressionScope {
    package let result: JSONValue
    package let context: Context

    package init(output: JSONValue, action: String?, context: Context) {
        result = ["output": output, "action": action.map(JSONValue.string) ?? .null]
        self.context = context
    }

    package func value(forRoot name: String) -> JSONValue? {
        switch name {
        case ExpressionSite.resultRoot: return result
        case ExpressionSite.contextRoot: return .object(context.allValues)
        default: return context.value(forKey: name)
        }
    }
}

/// The roots of an edge transform (`ExpressionSite.edgeTransform`): `input` (the source node's
/// output) and `context`.
package struct EdgeTransformScope<Context: ContextReader>: ExpressionScope {
    package let input: JSONValue
    package let context: Context

    package init(input: JSONValue, context: Context) {
        self.input = input
        self.context = context
    }

    package func value(forRoot name: String) -> JSONValue? {
        switch name {
        case ExpressionSite.inputRoot: return input
        case ExpressionSite.contextRoot: return .object(context.allValues)
        default: return nil
        }
    }
}

/// The roots of a loop-controller's condition (`ExpressionSite.loopCondition`): `context` and every
/// context key directly.
package struct LoopConditionScope<Context: ContextReader>: ExpressionScope {
    package let context: Context

    package init(context: Context) { self.context = context }

    package func value(forRoot name: String) -> JSONValue? {
        name == ExpressionSite.contextRoot ? .object(context.allValues) : context.value(forKey: name)
    }
}

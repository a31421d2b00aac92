/// Resolves the root identifiers of an expression (`result`, `context`, `input`, context keys).
public protocol ExpressionScope {
    /// The value of a root identifier, or `nil` when the scope has no such root (it reads as `null`).
    func value(forRoot name: String) -> JSONValue?
}

/// A dictionary of roots is a scope.
extension Dictionary: ExpressionScope where Key == String, Value == JSONValue {
    public func value(forRoot name: String) -> JSONValue? { self[name] }
}

extension WorkflowExpression {
    /// Evaluates the expression. Never throws and never traps: anything that cannot be resolved
    /// (an unknown root, a missing member, an index out of range, a member of a non-object) is `null`.
    ///
    /// Semantics:
    /// - `a.b` / `a["b"]`: object member; on an array, a digit-only name indexes it and `length` is its
    ///   count; on a string, `length` is its count of characters.
    /// - `a[i]`: array element for an integer `i` (no negative indexing), object member for a string.
    /// - `==` / `!=` are strict on kinds: numbers compare numerically (`1 == 1.0`), but no conversion
    ///   across kinds happens (`"1" == 1` is false, `0 == false` is false, `null == null` is true);
    ///   arrays and objects compare structurally.
    /// - `<` `<=` `>` `>=`: numbers numerically, strings by Unicode order; any other pairing is false.
    /// - `&&` `||` `!`: short-circuit on JavaScript truthiness (`JSONValue.isTruthy`) and yield booleans.
    /// - unary `-`: negates a number; anything else gives `null`.
    public func evaluate(in scope: some ExpressionScope) -> JSONValue {
        ExpressionEvaluator.evaluate(node) { scope.value(forRoot: $0) }
    }

    /// Evaluates the expression with roots resolved by `resolve`; see `evaluate(in:)`.
    public func evaluate(resolvingRoots resolve: (String) -> JSONValue?) -> JSONValue {
        ExpressionEvaluator.evaluate(node, resolve)
    }

    /// Whether the expression's value is truthy: what an edge or loop condition tests.
    public func isSatisfied(in scope: some ExpressionScope) -> Bool {
        evaluate(in: scope).isTruthy
    }
}

enum ExpressionEvaluator {
    // Recursion is safe: the parser bounds the tree's height by `ExpressionParser.maximumDepth`.
    static func evaluate(_ node: ExpressionNode, _ resolve: (String) -> JSONValue?) -> JSONValue {
        switch node {
        case .literal(let value):
            return value
        case .root(let name):
            return resolve(name) ?? .null
        case .member(let base, let name):
            return member(evaluate(base, resolve), name)
        case .subscripted(let base, let index):
            let container = evaluate(base, resolve)
            switch evaluate(index, resolve) {
            case .int(let i): return element(container, i)
            case .double(let d):
                guard let i = Int(exactly: d) else { return .null }
                return element(container, i)
            case .string(let key): return member(container, key)
            default: return .null
            }
        case .not(let operand):
            return .bool(!evaluate(operand, resolve).isTruthy)
        case .negate(let operand):
            switch evaluate(operand, resolve) {
            case .int(let i):
                let (negated, overflow) = (0 as Int).subtractingReportingOverflow(i)
                return overflow ? .double(-Double(i)) : .int(negated)
            case .double(let d): return .double(-d)
            default: return .null
            }
        case .binary(.and, let lhs, let rhs):
            return .bool(evaluate(lhs, resolve).isTruthy && evaluate(rhs, resolve).isTruthy)
        case .binary(.or, let lhs, let rhs):
            return .bool(evaluate(lhs, resolve).isTruthy || evaluate(rhs, resolve).isTruthy)
        case .binary(let op, let lhs, let rhs):
            return .bool(compare(op, evaluate(lhs, resolve), evaluate(rhs, resolve)))
        }
    }

    static func member(_ container: JSONValue, _ name: String) -> JSONValue {
        switch container {
        case .object(let o):
            return o[name] ?? .null
        case .array(let a):
            if name == "length" { return .int(a.count) }
            guard !name.isEmpty, name.utf8.allSatisfy({ $0 >= 48 && $0 <= 57 }), let i = Int(name) else { return .null }
            return a.indices.contains(i) ? a[i] : .null
        case .string(let s):
            return name == "length" ? .int(s.count) : .null
        default:
            return .null
        }
    }

    static func element(_ container: JSONValue, _ index: Int) -> JSONValue {
        switch container {
        case .array(let a): return a.indices.contains(index) ? a[index] : .null
        case .object(let o): return o[String(index)] ?? .null
        default: return .null
        }
    }

    static func compare(_ op: ExpressionOperator, _ a: JSONValue, _ b: JSONValue) -> Bool {
        switch op {
        case .equal: return equal(a, b)
        case .notEqual: return !equal(a, b)
        case .less, .lessOrEqual, .greater, .greaterOrEqual:
            guard let order = order(a, b) else { return false }
            switch op {
            case .less: return order < 0
            case .lessOrEqual: return order <= 0
            case .greater: return order > 0
            default: return order >= 0
            }
        case .and, .or: return false
        }
    }

    /// -1, 0, 1 for comparable pairs (two numbers, two strings); `nil` otherwise (and for NaN).
    static func order(_ a: JSONValue, _ b: JSONValue) -> Int? {
        switch (a, b) {
        case (.int(let x), .int(let y)): return x < y ? -1 : (x == y ? 0 : 1)
        case (.string(let x), .string(let y)): return x < y ? -1 : (x == y ? 0 : 1)
        default:
            guard let x = a.doubleValue, let y = b.doubleValue, !x.isNaN, !y.isNaN else { return nil }
            return x < y ? -1 : (x == y ? 0 : 1)
        }
    }

    /// Strict equality with numbers compared by value. Recursion depth is the JSON value's nesting,
    /// which the engines' JSON decoders bound.
    static func equal(_ a: JSONValue, _ b: JSONValue) -> Bool {
        switch (a, b) {
        case (.null, .null): return true
        case (.bool(let x), .bool(let y)): return x == y
        case (.string(let x), .string(let y)): return x == y
        case (.int(let x), .int(let y)): return x == y
        case (.int, .double), (.double, .int), (.double, .double):
            guard let x = a.doubleValue, let y = b.doubleValue else { return false }
            return x == y
        case (.array(let x), .array(let y)):
            guard x.count == y.count else { return false }
            for (u, v) in zip(x, y) where !equal(u, v) { return false }
            return true
        case (.object(let x), .object(let y)):
            guard x.count == y.count else { return false }
            for (k, u) in x {
                guard let v = y[k], equal(u, v) else { return false }
            }
            return true
        default: return false
        }
    }
}

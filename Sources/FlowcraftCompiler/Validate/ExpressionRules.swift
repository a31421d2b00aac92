import FlowcraftModel

/// `INVALID_EXPRESSION`: edge conditions and transforms and loop-controller conditions must parse
/// in the safe expression language; the error points at the column inside the string.
enum ExpressionRules {
    static func check(_ set: ValidationSet, _ out: inout [Diagnostic]) {
        // Workflows repeat the same expressions on many edges: parse each distinct text once.
        var verdicts: [String: ExpressionSyntaxError?] = [:]
        for blueprint in set.blueprints {
            for e in blueprint.edges.indices {
                if let text = blueprint.edges[e].condition, let error = syntaxError(text, &verdicts) {
                    let edge = blueprint.edges[e]
                    report(error, what: "condition of edge '\(edge.source)' → '\(edge.target)'",
                           at: edge.location(of: "condition"), &out)
                }
                if let text = blueprint.edges[e].transform, let error = syntaxError(text, &verdicts) {
                    let edge = blueprint.edges[e]
                    report(error, what: "transform of edge '\(edge.source)' → '\(edge.target)'",
                           at: edge.location(of: "transform"), &out)
                }
            }
            for v in blueprint.nodes.indices where blueprint.nodes[v].uses == BuiltinNode.loopController.rawValue {
                let node = blueprint.nodes[v]
                if case .string(let text)? = node.params["condition"], let error = syntaxError(text, &verdicts) {
                    report(error, what: "loop condition of '\(node.id)'", at: node.location(of: "params.condition"), &out)
                }
            }
        }
    }

    private static func syntaxError(_ text: String, _ verdicts: inout [String: ExpressionSyntaxError?]) -> ExpressionSyntaxError? {
        if let known = verdicts[text] { return known }
        var verdict: ExpressionSyntaxError?
        do {
            _ = try ExpressionParser.parse(text)
        } catch {
            verdict = error
        }
        verdicts[text] = .some(verdict)
        return verdict
    }

    private static func report(_ error: ExpressionSyntaxError, what: String, at start: SourceLocation?, _ out: inout [Diagnostic]) {
        out.append(.error(.invalidExpression, "invalid \(what): \(error.message)",
                          at: start?.advanced(byColumns: error.offset)))
    }
}

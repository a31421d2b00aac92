import FlowcraftModel

/// `INVALID_EXPRESSION`: edge conditions and transforms and loop-controller conditions must parse
/// in the safe expression language; the error points at the column inside the string.
/// `UNKNOWN_EXPRESSION_ROOT` (warning): a transform reading a root other than `input` and `context`,
/// the only ones a transform sees (conditions see every context key, so any root may exist there);
/// what each expression sees is ``ExpressionSite``, the definition the runtime follows.
enum ExpressionRules {
    static let transformRoots: Set<String> = ExpressionSite.edgeTransform.closedRoots ?? []

    static func check(_ set: ValidationSet, _ out: inout [Diagnostic]) {
        // Workflows repeat the same expressions on many edges: parse each distinct text once.
        var verdicts: [String: Result<WorkflowExpression, ExpressionSyntaxError>] = [:]
        for blueprint in set.blueprints {
            for e in blueprint.edges.indices {
                if let text = blueprint.edges[e].condition, let error = syntaxError(text, &verdicts) {
                    let edge = blueprint.edges[e]
                    report(error, what: "condition of edge '\(edge.source)' → '\(edge.target)'",
                           at: edge.location(of: "condition"), &out)
                }
                if let text = blueprint.edges[e].transform {
                    let edge = blueprint.edges[e]
                    switch parsed(text, &verdicts) {
                    case .failure(let error):
                        report(error, what: "transform of edge '\(edge.source)' → '\(edge.target)'",
                               at: edge.location(of: "transform"), &out)
                    case .success(let expression):
                        for root in expression.referencedRoots.subtracting(transformRoots).sorted() {
                            out.append(.warning(.unknownExpressionRoot,
                                "transform of edge '\(edge.source)' → '\(edge.target)' reads '\(root)', which is always null there: a transform sees only 'input' (the source's output) and 'context'",
                                at: edge.location(of: "transform")))
                        }
                    }
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

    private static func parsed(_ text: String, _ verdicts: inout [String: Result<WorkflowExpression, ExpressionSyntaxError>])
        -> Result<WorkflowExpression, ExpressionSyntaxError>
    {
        if let known = verdicts[text] { return known }
        let verdict: Result<WorkflowExpression, ExpressionSyntaxError>
        do {
            verdict = .success(try ExpressionParser.parse(text))
        } catch {
            verdict = .failure(error)
        }
        verdicts[text] = verdict
        return verdict
    }

    private static func syntaxError(_ text: String, _ verdicts: inout [String: Result<WorkflowExpression, ExpressionSyntaxError>])
        -> ExpressionSyntaxError?
    {
        if case .failure(let error) = parsed(text, &verdicts) { return error }
        return nil
    }

    private static func report(_ error: ExpressionSyntaxError, what: String, at start: SourceLocation?, _ out: inout [Diagnostic]) {
        out.append(.error(.invalidExpression, "invalid \(what): \(error.message)",
                          at: start?.advanced(byColumns: error.offset)))
    }
}

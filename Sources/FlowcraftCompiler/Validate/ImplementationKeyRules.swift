import FlowcraftModel

/// `UNKNOWN_IMPLEMENTATION` (warning): a `uses` key that is neither built in nor declared, but is
/// within a typo of one that is (`loop-controler`). Undeclared keys are otherwise allowed: they
/// are implemented in code and typed `JSON`.
enum ImplementationKeyRules {
    static func check(_ set: ValidationSet, _ out: inout [Diagnostic]) {
        let builtins = BuiltinNode.allCases.map(\.rawValue)
        let candidates = Set(builtins).union(set.implementations.keys)
        var verdicts: [String: String?] = [:]
        for blueprint in set.blueprints {
            for v in blueprint.nodes.indices where !blueprint.nodes[v].uses.isEmpty && !candidates.contains(blueprint.nodes[v].uses) {
                let node = blueprint.nodes[v]
                let suggestion: String?
                if let known = verdicts[node.uses] {
                    suggestion = known
                } else {
                    suggestion = DidYouMean.suggestion(for: node.uses, among: candidates)
                    verdicts[node.uses] = suggestion
                }
                guard let suggestion else { continue }
                let kind = builtins.contains(suggestion) ? "the built-in" : "the declared implementation"
                out.append(.warning(.unknownImplementation,
                    "'\(node.uses)' is not a known implementation; did you mean \(kind) '\(suggestion)'?",
                    at: node.location(of: "uses")))
            }
        }
    }
}

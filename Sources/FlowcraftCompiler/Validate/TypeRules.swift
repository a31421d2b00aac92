import FlowcraftModel

/// `UNKNOWN_TYPE` (a named type declared nowhere in the set) and `TYPE_MISMATCH` (an edge whose
/// source's declared output cannot feed its target's declared input, when no transform converts it).
enum TypeRules {
    static func check(_ set: ValidationSet, _ out: inout [Diagnostic]) {
        let names = Array(set.typeNames)
        for blueprint in set.blueprints {
            for type in blueprint.types {
                for field in type.fields {
                    report(field.type, "field '\(field.name)' of '\(type.name)'", at: field.typeLocation ?? field.location ?? type.location,
                           set: set, names: names, &out)
                }
            }
            for implementation in blueprint.implementations {
                for (role, type) in [("input", implementation.input), ("output", implementation.output),
                                     ("params", implementation.params)] {
                    guard let type else { continue }
                    report(type, "\(role) of implementation '\(implementation.uses)'",
                           at: implementation.typeLocations?[role] ?? implementation.location,
                           set: set, names: names, &out)
                }
            }
        }
        guard !set.implementations.isEmpty else { return }
        for (b, blueprint) in set.blueprints.enumerated() {
            let graph = set.facts[b].graph
            for (e, edge) in blueprint.edges.enumerated() where edge.transform == nil {
                let s = graph.edgeSource[e]
                let t = graph.edgeTarget[e]
                guard s >= 0, t >= 0, blueprint.nodes[t].inputs == nil,
                    let output = set.implementations[blueprint.nodes[s].uses]?.output,
                    let input = set.implementations[blueprint.nodes[t].uses]?.input
                else { continue }
                if !assignable(output, to: input) {
                    out.append(.error(.typeMismatch,
                        "'\(edge.source)' outputs \(output) but '\(edge.target)' takes \(input); add a 'transform' or fix the declared types",
                        at: edge.location))
                }
            }
        }
    }

    private static func report(_ type: TypeReference, _ what: String, at location: SourceLocation?,
                               set: ValidationSet, names: [String], _ out: inout [Diagnostic]) {
        for name in namedTypes(in: type) where !set.typeNames.contains(name) {
            out.append(.error(.unknownType,
                "\(what) uses the type '\(name)', which no blueprint declares under 'types:'\(DidYouMean.hint(for: name, among: names))",
                at: location))
        }
    }

    static func namedTypes(in type: TypeReference) -> [String] {
        switch type {
        case .named(let n): return [n]
        case .array(let t), .dictionary(let t), .optional(let t): return namedTypes(in: t)
        case .string, .int, .double, .bool, .json: return []
        }
    }

    /// Whether a value of type `source` can be the input of type `target`. `JSON` fits anything in
    /// both directions (it is checked at run time); `Int` widens to `Double`; `T` fits `T?`.
    static func assignable(_ source: TypeReference, to target: TypeReference) -> Bool {
        switch (source, target) {
        case (_, .json), (.json, _): return true
        case (.optional(let s), .optional(let t)): return assignable(s, to: t)
        case (_, .optional(let t)): return assignable(source, to: t)
        case (.optional, _): return false
        case (.int, .double): return true
        case (.array(let s), .array(let t)), (.dictionary(let s), .dictionary(let t)): return assignable(s, to: t)
        default: return source == target
        }
    }
}

import FlowcraftModel

/// The `params` of built-in nodes: required ones present (`MISSING_FIELD`), unknown ones flagged
/// with did-you-mean (`UNKNOWN_FIELD`, a warning: the runtime ignores them), values of the right
/// kind (`INVALID_VALUE`). Batch keys and loop conditions have their own rules.
enum BuiltinParameterRules {
    static func check(_ set: ValidationSet, _ out: inout [Diagnostic]) {
        for (b, blueprint) in set.blueprints.enumerated() {
            let graph = set.facts[b].graph
            for v in blueprint.nodes.indices {
                guard let builtin = BuiltinNode(rawValue: blueprint.nodes[v].uses) else { continue }
                let node = blueprint.nodes[v]
                let (required, optional) = builtin.parameters
                let known = required + optional
                for name in required where node.params[name] == nil {
                    out.append(.error(.missingField,
                        "'\(builtin.rawValue)' node '\(node.id)' needs the parameter '\(name)'",
                        at: node.fieldLocations["params"] ?? node.location(of: "uses")))
                }
                for name in node.params.keys.sorted() where !known.contains(name) {
                    out.append(.warning(.unknownField,
                        "'\(builtin.rawValue)' nodes take no parameter '\(name)'\(DidYouMean.hint(for: name, among: known))",
                        at: node.location(of: "params.\(name)")))
                }
                for name in known.sorted() {
                    guard let value = node.params[name], !value.isNull else { continue }
                    if let problem = problem(builtin, name, value, graph: graph, blueprint: blueprint) {
                        out.append(.error(.invalidValue, "parameter '\(name)' of '\(node.id)' \(problem)",
                                          at: node.location(of: "params.\(name)")))
                    }
                }
            }
        }
    }

    /// What is wrong with a parameter's value, or `nil`.
    private static func problem(_ builtin: BuiltinNode, _ name: String, _ value: JSONValue,
                                graph: BlueprintGraph, blueprint: WorkflowBlueprint) -> String? {
        switch (builtin, name) {
        case (.sleep, "duration"), (.wait, "timeout"):
            // Strings were already checked (and reported) as durations by the decoder.
            if case .string = value { return nil }
            guard let ms = value.doubleValue, ms >= 0 else {
                return "must be a duration such as 5s or a non-negative number of milliseconds, found \(describe(value))"
            }
            return nil
        case (.subflow, "blueprintId"), (.batchScatter, "workerUsesKey"):
            guard case .string(let s) = value, !s.isEmpty else { return "must be a non-empty string, found \(describe(value))" }
            return nil
        case (.subflow, "inputs"), (.subflow, "outputs"):
            guard case .object(let o) = value else { return "must be a mapping of keys to context keys, found \(describe(value))" }
            if let bad = o.keys.sorted().first(where: { o[$0]?.stringValue == nil }) {
                return "must map keys to context key strings; '\(bad)' maps to \(describe(o[bad] ?? .null))"
            }
            return nil
        case (.batchScatter, "chunkSize"):
            guard let n = value.intValue, n > 0 else { return "must be a positive integer, found \(describe(value))" }
            return nil
        case (.loopController, "maxIterations"):
            let bound = BuiltinNode.maximumLoopIterations
            guard let n = value.intValue, n > 0 else { return "must be a positive integer, found \(describe(value))" }
            guard n <= bound else { return "must be at most \(bound) (the loop iteration bound), found \(describe(value))" }
            return nil
        case (.batchScatter, "gatherNodeId"), (.batchGather, "gatherNodeId"), (.loopController, "endNodeId"):
            guard case .string(let id) = value else { return "must be a node id, found \(describe(value))" }
            guard let v = graph.index[id] else {
                return "names no node of blueprint '\(blueprint.id)': '\(id)'\(DidYouMean.hint(for: id, among: graph.ids))"
            }
            if builtin == .batchScatter, blueprint.nodes[v].uses != BuiltinNode.batchGather.rawValue {
                return "must name a 'batch-gather' node, but '\(id)' uses '\(blueprint.nodes[v].uses)'"
            }
            return nil
        case (.loopController, "condition"):
            // Parsed by ExpressionRules; only the kind is checked here.
            guard case .string = value else { return "must be an expression string, found \(describe(value))" }
            return nil
        default:
            guard case .string = value else { return "must be a string, found \(describe(value))" }
            return nil
        }
    }

    static func describe(_ value: JSONValue) -> String {
        switch value {
        case .string(let s): return "'\(s)'"
        case .int(let i): return String(i)
        case .double(let d): return String(d)
        case .bool(let b): return String(b)
        default: return value.kindName
        }
    }
}

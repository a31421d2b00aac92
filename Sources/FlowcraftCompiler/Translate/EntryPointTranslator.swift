import FlowcraftModel

/// Typed entry points on the in-memory engine: `runtime.run(orderFulfillment: order)`.
///
/// Every blueprint gets `run(<blueprint>: context)`, so its id is checked by the compiler. When the
/// blueprint has exactly one start node and that node's implementation declares an input type, a
/// second overload takes that type and places it where the engine reads the start node's input:
/// the context key named by a plain `inputs: key`, else `_inputs.<node>`.
struct EntryPointTranslator {
    let access: AccessModifier
    let types: SwiftTypeSpelling
    let implementations: [String: CodegenPlan.Implementation]

    func translate(_ blueprint: CodegenPlan.Blueprint, location: String?) -> SwiftDeclaration {
        let id = blueprint.model.id
        let label = SwiftIdentifier.unescaped(blueprint.memberName)
        let place = location.map { " (`\($0)`)" } ?? ""
        var members: [SwiftDeclaration] = [
            .function(FunctionDescription(
                doc: DocComment([
                    "Runs `\(id)`\(place) with `context` as the initial state.",
                ]),
                access: access, kind: .function(name: "run"),
                parameters: [
                    ParameterDescription(label: label, name: "context", type: "[String: JSONValue]"),
                    ParameterDescription(name: "runID", type: "String?", defaultValue: .nil),
                ],
                isAsync: true, isThrowing: true, returnType: "WorkflowResult",
                body: [.line("try await run(\(SwiftLiteralEscaping.stringLiteral(id)), context: context, runID: runID)")]))
        ]
        if let (node, implementation, key) = typedStart(blueprint.model) {
            let inputType = types.spell(implementation.input)
            members.append(.function(FunctionDescription(
                doc: DocComment([
                    "Runs `\(id)`\(place) with `input` as the input of its start node `\(node.id)`.",
                ]),
                access: access, kind: .function(name: "run"),
                parameters: [
                    ParameterDescription(label: label, name: "input", type: inputType),
                    ParameterDescription(name: "context", type: "[String: JSONValue]", defaultValue: .dictionary([])),
                    ParameterDescription(name: "runID", type: "String?", defaultValue: .nil),
                ],
                isAsync: true, isThrowing: true, returnType: "WorkflowResult",
                body: [
                    .line("var context = context"),
                    .line("context[\(SwiftLiteralEscaping.stringLiteral(key))] = try JSONValueEncoder().encode(input)"),
                    .line("return try await run(\(SwiftLiteralEscaping.stringLiteral(id)), context: context, runID: runID)"),
                ])))
        }
        return .extensionOf(ExtensionDescription(extendedType: "FlowRuntime", members: members))
    }

    /// The single start node, its typed implementation, and the context key it reads its input from.
    func typedStart(_ blueprint: WorkflowBlueprint) -> (NodeDefinition, CodegenPlan.Implementation, String)? {
        let graph = BlueprintGraph(blueprint)
        // Only a single start node without predecessors (not a cycle entry point) gets one.
        let (starts, atCycleEntries) = StartNodes.indices(
            nodeCount: graph.nodeCount, isCandidate: { graph.ownsID[$0] }, hasIncomingEdge: { graph.inDegree($0) > 0 },
            isFallbackTarget: { graph.isFallbackTarget[$0] }, cycleEntryPoints: blueprint.metadata?.cycleEntryPoints,
            index: { graph.index[$0] })
        guard starts.count == 1, !atCycleEntries else { return nil }
        let node = blueprint.nodes[starts[0]]
        guard let implementation = implementations[node.uses], !SwiftTypeSpelling.isJSON(implementation.input) else {
            return nil
        }
        switch node.inputs {
        case nil: return (node, implementation, ContextKeyPrefix.input + node.id)
        case .key(let key) where !key.contains(".") && !key.hasPrefix("_"): return (node, implementation, key)
        default: return nil
        }
    }
}

import FlowcraftModel

/// Typed starts on any engine conforming to `WorkflowStarting` (the distributed `WorkflowClient`):
/// `try await client.start(orderFulfillment: order).result()`.
///
/// The generated code names only `WorkflowStarting` and `TypedRunHandle`, which live in `Flowcraft`,
/// so an app using the in-memory engine alone never depends on FlowcraftRedis. The handle's `Output`
/// is the declared output of the blueprint's single terminal node (read from `_outputs.<node>`);
/// with several terminal nodes, or one that is a built-in, it is the whole final context.
struct TypedClientTranslator {
    let access: AccessModifier
    let types: SwiftTypeSpelling
    let entryPoints: EntryPointTranslator

    func translate(_ blueprint: CodegenPlan.Blueprint, location: String?) -> SwiftDeclaration {
        let id = blueprint.model.id
        let label = SwiftIdentifier.unescaped(blueprint.memberName)
        let place = location.map { " (`\($0)`)" } ?? ""
        let result = self.result(blueprint.model)
        let handle = "TypedRunHandle<\(result.type)>"
        let outputNode: String = result.node.map(SwiftLiteralEscaping.stringLiteral) ?? "nil"
        let resultDoc = result.node.map { "Its result is the output of its terminal node `\($0)`." }
            ?? "Its result is the run's final context."
        let startCall = "try await startRun(blueprintID: \(SwiftLiteralEscaping.stringLiteral(id)), context: context, "
            + "runID: runID, outputNode: \(outputNode))"
        var members: [SwiftDeclaration] = [
            .function(FunctionDescription(
                doc: DocComment(["Starts a run of `\(id)`\(place) with `context` as the initial state.", resultDoc]),
                attributes: ["@discardableResult"], access: access, kind: .function(name: "start"),
                parameters: [
                    ParameterDescription(label: label, name: "context", type: "[String: JSONValue]"),
                    ParameterDescription(name: "runID", type: "String?", defaultValue: .nil),
                ],
                isAsync: true, isThrowing: true, returnType: handle, body: [.line(startCall)]))
        ]
        if let (node, implementation, key) = entryPoints.typedStart(blueprint.model) {
            members.append(.function(FunctionDescription(
                doc: DocComment([
                    "Starts a run of `\(id)`\(place) with `input` as the input of its start node `\(node.id)`.",
                    resultDoc,
                ]),
                attributes: ["@discardableResult"], access: access, kind: .function(name: "start"),
                parameters: [
                    ParameterDescription(label: label, name: "input", type: types.spell(implementation.input)),
                    ParameterDescription(name: "context", type: "[String: JSONValue]", defaultValue: .dictionary([])),
                    ParameterDescription(name: "runID", type: "String?", defaultValue: .nil),
                ],
                isAsync: true, isThrowing: true, returnType: handle,
                body: [
                    .line("var context = context"),
                    .line("context[\(SwiftLiteralEscaping.stringLiteral(key))] = try JSONValueEncoder().encode(input)"),
                    .line("return " + startCall),
                ])))
        }
        return .extensionOf(ExtensionDescription(extendedType: "WorkflowStarting", members: members))
    }

    /// The Swift type of a run's result and the node it is read from (`nil`: the final context).
    func result(_ blueprint: WorkflowBlueprint) -> (type: String, node: String?) {
        let graph = BlueprintGraph(blueprint)
        let terminals = (0..<graph.nodeCount).filter {
            graph.ownsID[$0] && graph.outDegree($0) == 0 && !graph.isFallbackTarget[$0]
        }
        guard terminals.count == 1 else { return ("[String: JSONValue]", nil) }
        let node = blueprint.nodes[terminals[0]]
        guard let implementation = entryPoints.implementations[node.uses] else { return ("[String: JSONValue]", nil) }
        return (types.spell(implementation.output), node.id)
    }
}

import FlowcraftModel

/// The target-wide file: the registry type whose initializer requires every implementation (a missing
/// one is a compile error naming it) and bridges typed nodes into the runtime's `NodeRegistry`, and
/// the namespace listing the embedded blueprints.
struct RegistryTranslator {
    let options: CodeGenerationOptions
    let types: SwiftTypeSpelling
    let displayPath: (SourceLocation?) -> String?

    func translate(_ plan: CodegenPlan) -> [SwiftDeclaration] {
        [workflowsNamespace(plan), registry(plan), .mark("JSON bridging")] + bridgingHelpers(plan)
    }

    private func workflowsNamespace(_ plan: CodegenPlan) -> SwiftDeclaration {
        let all = VariableDescription(
            doc: "Every blueprint of this target, sorted by file.", access: options.access, isStatic: true,
            name: "all", type: "[WorkflowBlueprint]",
            initializer: .array(plan.blueprints.map { .identifier($0.memberName) }))
        return .enumeration(EnumDescription(
            doc: DocComment([
                "The blueprints compiled into this target, embedded with their source locations so runtime",
                "errors can name the YAML line.",
            ]),
            access: options.access, name: options.workflowsTypeName, members: [.variable(all)]))
    }

    private func registry(_ plan: CodegenPlan) -> SwiftDeclaration {
        var members: [SwiftDeclaration] = []
        for implementation in plan.implementations {
            let place = displayPath(implementation.declaredAt ?? implementation.usedBy.first?.location)
            members.append(.variable(VariableDescription(
                doc: DocComment(["Runs the `\(implementation.uses)` nodes" + (place.map { " (`\($0)`)." } ?? ".")]),
                access: options.access, isMutable: true, name: implementation.memberName,
                type: "any " + implementation.protocolName)))
        }
        members.append(.function(FunctionDescription(
            doc: DocComment(["Every implementation is required: the blueprints use each of them."]),
            access: options.access, kind: .initializer,
            parameters: plan.implementations.map {
                ParameterDescription(name: $0.memberName, type: "any " + $0.protocolName)
            },
            body: plan.implementations.map { .line("self.\($0.memberName) = \($0.memberName)") })))
        var body: [CodeStatement] = [.line("var registry = NodeRegistry()")]
        for implementation in plan.implementations { body += registration(implementation) }
        body.append(.line("return registry"))
        members.append(.function(FunctionDescription(
            doc: DocComment([
                "The runtime's dynamic registry: each typed node decodes its input and params from",
                "`JSONValue` and encodes its output back. A value that does not match the declared type",
                "fails the node at once (no retry) with a message naming the node.",
            ]),
            access: options.access, kind: .function(name: "nodeRegistry"), returnType: "NodeRegistry", body: body)))
        return .structure(StructDescription(
            doc: DocComment([
                "The node implementations this target's blueprints use, one property per `uses` key.",
                "",
                "Its initializer takes every implementation, so a blueprint using a key nobody implements",
                "does not compile. Pass `nodeRegistry()` to the runtime.",
            ]),
            access: options.access, name: options.registryTypeName, conformances: ["Sendable"], members: members))
    }

    private func registration(_ implementation: CodegenPlan.Implementation) -> [CodeStatement] {
        // A local copy: the closure captures the implementation, not `self`. The `Node` suffix keeps
        // it apart from the closure's own names (`input`, `params`, `context`, …) whatever the key.
        let node = SwiftIdentifier.unescaped(implementation.memberName) + "Node"
        var inner: [CodeStatement] = []
        let input: String
        if SwiftTypeSpelling.isJSON(implementation.input) {
            input = "context.input"
        } else {
            inner.append(.line(
                "let input = try decodeNodeValue(\(types.spell(implementation.input)).self, from: context.input, \"input\", context)"))
            input = "input"
        }
        let params: String
        if implementation.params == nil {
            params = "context.params"
        } else if implementation.params == .json {
            params = ".object(context.params)"
        } else {
            inner.append(.line(
                "let params = try decodeNodeValue(\(types.spell(implementation.params)).self, from: .object(context.params), \"params\", context)"))
            params = "params"
        }
        let call = "try await \(node).run(input: \(input), params: \(params), context: context)"
        let outputIsJSON = SwiftTypeSpelling.isJSON(implementation.output)
        if implementation.actions.isEmpty {
            if outputIsJSON {
                inner.append(.line("return NodeResult(output: \(call))"))
            } else {
                inner.append(.line("let output = \(call)"))
                inner.append(.line("return NodeResult(output: try encodeNodeValue(output, context))"))
            }
        } else {
            inner.append(.line("let result = \(call)"))
            let output = outputIsJSON ? "result.output" : "try encodeNodeValue(result.output, context)"
            inner.append(.line("return NodeResult(output: \(output), action: result.action?.rawValue)"))
        }
        return [
            .line("let \(node) = self.\(implementation.memberName)"),
            .closure(
                "registry.register(\(SwiftLiteralEscaping.stringLiteral(implementation.uses)))", parameters: "context",
                inner),
        ]
    }

    private func bridgingHelpers(_ plan: CodegenPlan) -> [SwiftDeclaration] {
        let needsDecode = plan.implementations.contains {
            !SwiftTypeSpelling.isJSON($0.input) || !($0.params == nil || $0.params == .json)
        }
        let needsEncode = plan.implementations.contains { !SwiftTypeSpelling.isJSON($0.output) }
        var helpers: [SwiftDeclaration] = []
        if needsDecode {
            helpers.append(.function(FunctionDescription(
                doc: "Decodes a node's input or params; a mismatch is the blueprint's fault, so retrying is pointless.",
                access: .private, kind: .function(name: "decodeNodeValue<Value: Decodable>"),
                parameters: [
                    ParameterDescription(label: "_", name: "type", type: "Value.Type"),
                    ParameterDescription(label: "from", name: "value", type: "JSONValue"),
                    ParameterDescription(label: "_", name: "what", type: "String"),
                    ParameterDescription(label: "_", name: "context", type: "NodeContext"),
                ],
                isThrowing: true, returnType: "Value",
                body: [
                    .doCatch([.line("return try JSONValueDecoder().decode(Value.self, from: value)")], catch: [
                        .line("throw FatalNodeError(\"node '\\(context.nodeID)' of '\\(context.blueprintID)': its \\(what) is not a \\(Value.self): \\(error)\")"),
                    ]),
                ])))
        }
        if needsEncode {
            helpers.append(.function(FunctionDescription(
                doc: "Encodes a node's typed output as the runtime's `JSONValue`.",
                access: .private, kind: .function(name: "encodeNodeValue<Value: Encodable>"),
                parameters: [
                    ParameterDescription(label: "_", name: "value", type: "Value"),
                    ParameterDescription(label: "_", name: "context", type: "NodeContext"),
                ],
                isThrowing: true, returnType: "JSONValue",
                body: [
                    .doCatch([.line("return try JSONValueEncoder().encode(value)")], catch: [
                        .line("throw FatalNodeError(\"node '\\(context.nodeID)' of '\\(context.blueprintID)': cannot encode its output: \\(error)\")"),
                    ]),
                ])))
        }
        return helpers
    }
}

import FlowcraftModel

/// One implementation (`uses` key) → its typed protocol, and when its edges route on actions, an
/// `Action` enum of exactly those actions and a result type carrying one.
struct ImplementationTranslator {
    let access: AccessModifier
    let types: SwiftTypeSpelling
    let displayPath: (SourceLocation?) -> String?

    /// How many using nodes a doc comment lists before summarizing.
    static let listedUses = 5

    func translate(_ implementation: CodegenPlan.Implementation) -> [SwiftDeclaration] {
        var declarations: [SwiftDeclaration] = []
        let output = types.spell(implementation.output)
        if !implementation.actions.isEmpty {
            declarations.append(actionEnum(implementation))
            declarations.append(resultStruct(implementation, output: output))
        }
        declarations.append(protocolDeclaration(implementation, output: output))
        return declarations
    }

    private func actionEnum(_ implementation: CodegenPlan.Implementation) -> SwiftDeclaration {
        let source = implementation.actionsDeclared ? "declared for" : "routed on by the edges leaving"
        return .enumeration(EnumDescription(
            doc: DocComment([
                "The actions \(source) `\(implementation.uses)` nodes.",
                "",
                "Returning any other action is impossible: each case is an edge label in the blueprints.",
            ]),
            access: access, name: implementation.actionTypeName,
            conformances: ["String", "Sendable", "Hashable", "CaseIterable", "Codable"],
            members: implementation.actions.map { action in
                .enumCase(EnumCaseDescription(
                    name: action.caseName,
                    rawValue: SwiftIdentifier.unescaped(action.caseName) == action.key ? nil : action.key))
            }))
    }

    private func resultStruct(_ implementation: CodegenPlan.Implementation, output: String) -> SwiftDeclaration {
        let action = implementation.actionTypeName
        var members: [SwiftDeclaration] = [
            .variable(VariableDescription(access: access, isMutable: true, name: "output", type: output)),
            .variable(VariableDescription(
                doc: "Picks the outgoing edges labelled with it; `nil` follows the unlabelled edges.",
                access: access, isMutable: true, name: "action", type: action + "?")),
            .function(FunctionDescription(
                access: access, kind: .initializer,
                parameters: [
                    ParameterDescription(label: "_", name: "output", type: output),
                    ParameterDescription(name: "action", type: action + "?"),
                ],
                body: [.line("self.output = output"), .line("self.action = action")])),
        ]
        for (key, caseName) in implementation.actions {
            members.append(.function(FunctionDescription(
                doc: DocComment(["`output`, routed along the `\(key)` edges."]),
                access: access, isStatic: true, kind: .function(name: caseName),
                parameters: [ParameterDescription(label: "_", name: "output", type: output)],
                returnType: implementation.resultTypeName,
                body: [.line("\(implementation.resultTypeName)(output, action: .\(caseName))")])))
        }
        return .structure(StructDescription(
            doc: DocComment(["What a `\(implementation.uses)` node returns: its output and the action routing the run."]),
            access: access, name: implementation.resultTypeName, conformances: ["Sendable"], members: members))
    }

    private func protocolDeclaration(_ implementation: CodegenPlan.Implementation, output: String) -> SwiftDeclaration {
        var doc: [String] = ["Implements the `\(implementation.uses)` nodes."]
        if let description = implementation.description { doc += ["", description] }
        doc.append("")
        if let declared = displayPath(implementation.declaredAt) { doc.append("Declared at `\(declared)`.") }
        let uses = implementation.usedBy
        let listed = uses.prefix(Self.listedUses).map { use in
            "`\(use.blueprint)`/`\(use.node)`" + (displayPath(use.location).map { " (`\($0)`)" } ?? "")
        }
        var usedBy = "Used by " + listed.joined(separator: ", ")
        if uses.count > Self.listedUses { usedBy += " and \(uses.count - Self.listedUses) more" }
        doc.append(usedBy + ".")
        let returnType = implementation.actions.isEmpty ? output : implementation.resultTypeName
        let run = FunctionDescription(
            doc: DocComment([
                "Runs one node. `context` gives the run's state, logger, dependencies and attempt number.",
            ]),
            kind: .function(name: "run"),
            parameters: [
                ParameterDescription(name: "input", type: types.spell(implementation.input)),
                ParameterDescription(name: "params", type: paramsType(implementation)),
                ParameterDescription(name: "context", type: "NodeContext"),
            ],
            isAsync: true, isThrowing: true, returnType: returnType)
        return .protocolType(ProtocolDescription(
            doc: DocComment(doc), access: access, name: implementation.protocolName, conformances: ["Sendable"],
            members: [.function(run)]))
    }

    func paramsType(_ implementation: CodegenPlan.Implementation) -> String {
        implementation.params == nil ? "[String: JSONValue]" : types.spell(implementation.params)
    }
}

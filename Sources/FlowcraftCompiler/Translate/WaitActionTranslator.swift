import FlowcraftModel

/// Typed resumes of `wait` nodes: per routed `wait` node an enum of exactly the actions its edges
/// route on, and `resume` overloads taking it on `FlowRuntime` (in memory), on `WorkflowStarting`
/// (the distributed client) and on `TypedRunHandle`. A misspelt action is then a compile error;
/// the string API stays and refuses an unrouted action at run time.
struct WaitActionTranslator {
    let access: AccessModifier

    func actionEnum(_ wait: CodegenPlan.Wait, blueprintID: String) -> SwiftDeclaration {
        .enumeration(EnumDescription(
            doc: DocComment([
                "The actions the edges leaving `wait` node `\(wait.nodeID)` of `\(blueprintID)` route on.",
                "",
                "Pass one to the generated `resume(…, \(SwiftIdentifier.unescaped(wait.label)):)` overloads.",
            ]),
            access: access, name: wait.typeName,
            conformances: ["String", "Sendable", "Hashable", "CaseIterable", "Codable"],
            members: wait.actions.map { action in
                .enumCase(EnumCaseDescription(
                    name: action.caseName,
                    rawValue: SwiftIdentifier.unescaped(action.caseName) == action.key ? nil : action.key))
            }))
    }

    /// `resume` members for `FlowRuntime`, `WorkflowStarting` and `TypedRunHandle`.
    func resumes(_ blueprint: CodegenPlan.Blueprint) -> (runtime: [SwiftDeclaration], client: [SwiftDeclaration], handle: [SwiftDeclaration]) {
        var runtime: [SwiftDeclaration] = [], client: [SwiftDeclaration] = [], handle: [SwiftDeclaration] = []
        for wait in blueprint.waits {
            let label = SwiftIdentifier.unescaped(wait.label)
            let node = SwiftLiteralEscaping.stringLiteral(wait.nodeID)
            let doc = "Resumes `wait` node `\(wait.nodeID)` of `\(blueprint.model.id)` (also inside a paused subflow): "
                + "it completes with `output` and routes along the edges labelled `action`."
            let arguments = "nodeID: \(node), action: action.rawValue, output: output"
            let action = ParameterDescription(label: label, name: "action", type: wait.typeName)
            let output = ParameterDescription(name: "output", type: "JSONValue", defaultValue: .identifier(".null"))
            runtime.append(.function(FunctionDescription(
                doc: DocComment([doc]), access: access, kind: .function(name: "resume"),
                parameters: [ParameterDescription(label: "_", name: "run", type: "WorkflowResult"), action, output],
                isAsync: true, isThrowing: true, returnType: "WorkflowResult",
                body: [.line("try await resume(run, \(arguments))")])))
            client.append(.function(FunctionDescription(
                doc: DocComment([doc]), access: access, kind: .function(name: "resume"),
                parameters: [ParameterDescription(label: "_", name: "runID", type: "String"), action, output],
                isAsync: true, isThrowing: true,
                body: [.line("try await resumeRun(runID, \(arguments))")])))
            handle.append(.function(FunctionDescription(
                doc: DocComment([doc]), access: access, kind: .function(name: "resume"),
                parameters: [action, output],
                isAsync: true, isThrowing: true,
                body: [.line("try await resume(\(arguments))")])))
        }
        return (runtime, client, handle)
    }
}

import FlowcraftModel

/// A blueprint → Swift statements that rebuild it, with every node's and edge's source location, so
/// runtime errors can name the YAML line.
///
/// Each node and edge is its own `append` statement with fully spelled-out enum cases: the type checker
/// sees many small expressions instead of one huge literal, which keeps compile time linear in the
/// blueprint's size. Compile-time-only facts (`types:`, `implementations:`, field locations) are left
/// out: the runtime does not need them.
struct BlueprintLiteralTranslator {
    /// The local constant holding the file path, shared by every `SourceLocation`.
    static let fileVariable = "file"

    let displayPath: String

    /// Nodes or edges per helper function. The compiler's cost grows faster than linearly with the
    /// size of one function (a single 1 000-node function took minutes at -Onone), so long
    /// blueprints are built by many small functions instead.
    static let chunkSize = 32

    /// The factory `name() -> WorkflowBlueprint` and its chunk helpers.
    func functions(_ blueprint: WorkflowBlueprint, name: String, access: AccessModifier) -> [FunctionDescription] {
        var helpers: [FunctionDescription] = []
        var body: [CodeStatement] = [
            .line("let \(Self.fileVariable) = \(SwiftLiteralEscaping.stringLiteral(displayPath))"),
            .line("var nodes: [NodeDefinition] = []"),
            .line("nodes.reserveCapacity(\(blueprint.nodes.count))"),
        ]
        let nodeStatements = blueprint.nodes.map { SwiftExpression.call("nodes.append", [.init(nil, nodeExpression($0))]) }
        body += chunked(nodeStatements, helperPrefix: name + "Nodes", collection: "nodes", type: "NodeDefinition", access: access, &helpers)
        body.append(.line("var edges: [EdgeDefinition] = []"))
        body.append(.line("edges.reserveCapacity(\(blueprint.edges.count))"))
        let edgeStatements = blueprint.edges.map { SwiftExpression.call("edges.append", [.init(nil, edgeExpression($0))]) }
        body += chunked(edgeStatements, helperPrefix: name + "Edges", collection: "edges", type: "EdgeDefinition", access: access, &helpers)
        var arguments: [SwiftExpression.Argument] = [.init("id", .string(blueprint.id))]
        if let version = blueprint.version { arguments.append(.init("version", .string(version))) }
        if let description = blueprint.description { arguments.append(.init("description", .string(description))) }
        arguments.append(.init("nodes", .identifier("nodes")))
        arguments.append(.init("edges", .identifier("edges")))
        if let metadata = blueprint.metadata { arguments.append(.init("metadata", metadataExpression(metadata))) }
        if let location = blueprint.location { arguments.append(.init("location", locationExpression(location))) }
        body.append(.expression(.prefixed("return", .call("WorkflowBlueprint", arguments))))
        let factory = FunctionDescription(
            access: access, isStatic: true, kind: .function(name: name), returnType: "WorkflowBlueprint", body: body)
        return [factory] + helpers
    }

    /// Inline statements when few; otherwise calls to helpers of `chunkSize` statements each.
    private func chunked(
        _ statements: [SwiftExpression], helperPrefix: String, collection: String, type: String,
        access: AccessModifier, _ helpers: inout [FunctionDescription]
    ) -> [CodeStatement] {
        guard statements.count > Self.chunkSize else { return statements.map { .expression($0) } }
        var calls: [CodeStatement] = []
        var start = 0
        while start < statements.count {
            let end = min(start + Self.chunkSize, statements.count)
            let helper = "\(helperPrefix)\(helpers.count)"
            helpers.append(FunctionDescription(
                access: access, isStatic: true, kind: .function(name: helper),
                parameters: [
                    ParameterDescription(label: "_", name: collection, type: "inout [\(type)]"),
                    ParameterDescription(label: "_", name: Self.fileVariable, type: "String"),
                ],
                body: statements[start..<end].map { .expression($0) }))
            calls.append(.line("\(helper)(&\(collection), \(Self.fileVariable))"))
            start = end
        }
        return calls
    }

    func nodeExpression(_ node: NodeDefinition) -> SwiftExpression {
        var arguments: [SwiftExpression.Argument] = [.init("id", .string(node.id)), .init("uses", .string(node.uses))]
        if !node.params.isEmpty { arguments.append(.init("params", Self.objectLiteral(node.params))) }
        if let inputs = node.inputs {
            switch inputs {
            case .key(let key): arguments.append(.init("inputs", .call(".key", [.init(nil, .string(key))])))
            case .mapping(let map): arguments.append(.init("inputs", .call(".mapping", [.init(nil, Self.objectLiteral(map))])))
            }
        }
        if node.config != NodeConfig() { arguments.append(.init("config", configExpression(node.config))) }
        if let location = node.location { arguments.append(.init("location", locationExpression(location))) }
        return .call("NodeDefinition", arguments)
    }

    func edgeExpression(_ edge: EdgeDefinition) -> SwiftExpression {
        var arguments: [SwiftExpression.Argument] = [
            .init("source", .string(edge.source)), .init("target", .string(edge.target)),
        ]
        if let action = edge.action { arguments.append(.init("action", .string(action))) }
        if let condition = edge.condition { arguments.append(.init("condition", .string(condition))) }
        if let transform = edge.transform { arguments.append(.init("transform", .string(transform))) }
        if let location = edge.location { arguments.append(.init("location", locationExpression(location))) }
        return .call("EdgeDefinition", arguments)
    }

    func configExpression(_ config: NodeConfig) -> SwiftExpression {
        var arguments: [SwiftExpression.Argument] = []
        if let v = config.maxRetries { arguments.append(.init("maxRetries", .int(v))) }
        if let v = config.retryDelay { arguments.append(.init("retryDelay", .int(v))) }
        if let v = config.timeout { arguments.append(.init("timeout", .int(v))) }
        if let v = config.fallback { arguments.append(.init("fallback", .string(v))) }
        if let v = config.joinStrategy { arguments.append(.init("joinStrategy", .identifier(".\(v.rawValue)"))) }
        return .call("NodeConfig", arguments)
    }

    func metadataExpression(_ metadata: BlueprintMetadata) -> SwiftExpression {
        var arguments: [SwiftExpression.Argument] = []
        if let version = metadata.version { arguments.append(.init("version", .string(version))) }
        if !metadata.cycleEntryPoints.isEmpty {
            arguments.append(.init("cycleEntryPoints", .array(metadata.cycleEntryPoints.map { .string($0) })))
        }
        if !metadata.extra.isEmpty { arguments.append(.init("extra", Self.objectLiteral(metadata.extra))) }
        return .call("BlueprintMetadata", arguments)
    }

    func locationExpression(_ location: SourceLocation) -> SwiftExpression {
        .call("SourceLocation", [
            .init("file", .identifier(Self.fileVariable)), .init("line", .int(location.line)),
            .init("column", .int(location.column)),
        ])
    }

    /// `[String: JSONValue]` with sorted keys (dictionaries have no order; output must be stable).
    static func objectLiteral(_ object: [String: JSONValue]) -> SwiftExpression {
        .dictionary(object.keys.sorted().map { key in
            SwiftExpression.DictionaryElement(.string(key), jsonExpression(object[key] ?? .null))
        })
    }

    /// A `JSONValue` spelled with explicit cases (`.string("a")`), cheap to type-check.
    static func jsonExpression(_ value: JSONValue) -> SwiftExpression {
        switch value {
        case .null: return .identifier(".null")
        case .bool(let b): return .call(".bool", [.init(nil, .bool(b))])
        case .int(let i): return .call(".int", [.init(nil, .int(i))])
        case .double(let d): return .call(".double", [.init(nil, .double(d))])
        case .string(let s): return .call(".string", [.init(nil, .string(s))])
        case .array(let a): return .call(".array", [.init(nil, .array(a.map(jsonExpression)))])
        case .object(let o): return .call(".object", [.init(nil, objectLiteral(o))])
        }
    }
}

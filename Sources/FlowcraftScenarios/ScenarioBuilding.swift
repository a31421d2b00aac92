import Flowcraft

/// Small constructors that keep scenario definitions readable.
package enum ScenarioBuilding {
    /// A blueprint whose nodes get synthetic YAML locations (`scenarios/<id>.yaml`, line 10 + 4·i),
    /// so error locations can be asserted.
    package static func blueprint(
        _ id: String, nodes: [NodeDefinition], edges: [EdgeDefinition], cycleEntryPoints: [String] = []
    ) -> WorkflowBlueprint {
        var located: [NodeDefinition] = []
        for (i, node) in nodes.enumerated() {
            var n = node
            if n.location == nil { n.location = SourceLocation(file: "scenarios/\(id).yaml", line: 10 + 4 * i, column: 5) }
            located.append(n)
        }
        let metadata = cycleEntryPoints.isEmpty ? nil : BlueprintMetadata(cycleEntryPoints: cycleEntryPoints)
        return WorkflowBlueprint(id: id, nodes: located, edges: edges, metadata: metadata)
    }

    package static func node(
        _ id: String, _ uses: String = "echo", params: [String: JSONValue] = [:], inputs: NodeInputs? = nil,
        config: NodeConfig = NodeConfig()
    ) -> NodeDefinition {
        NodeDefinition(id: id, uses: uses, params: params, inputs: inputs, config: config)
    }

    package static func edge(
        _ source: String, _ target: String, action: String? = nil, condition: String? = nil, transform: String? = nil
    ) -> EdgeDefinition {
        EdgeDefinition(source: source, target: target, action: action, condition: condition, transform: transform)
    }

    /// A chain `a -> b -> c …` of `echo` nodes.
    package static func chain(_ ids: [String]) -> [EdgeDefinition] {
        zip(ids, ids.dropFirst()).map { edge($0, $1) }
    }

    /// A registry with `echo` (returns its input), `const` (returns `params.value`, action
    /// `params.action`) and `record` (logs its node id, returns its input); `extra` adds more.
    package static func registry(
        _ probe: ScenarioProbe, _ extra: [String: @Sendable (NodeContext) async throws -> NodeResult] = [:]
    ) -> NodeRegistry {
        var registry = NodeRegistry()
        registry.register("echo") { ctx in
            probe.record(ctx.nodeID)
            return NodeResult(output: ctx.input)
        }
        registry.register("const") { ctx in
            probe.record(ctx.nodeID)
            return NodeResult(output: ctx.params["value"] ?? .null, action: ctx.params["action"]?.stringValue)
        }
        for (key, body) in extra { registry.register(key, body) }
        return registry
    }
}

/// A failure thrown by scenario nodes on purpose.
package struct ScenarioFailure: Error, Sendable, CustomStringConvertible {
    package var message: String
    package init(_ message: String) { self.message = message }
    package var description: String { message }
}

import Flowcraft

/// A run that exercises every attempt outcome: `start` succeeds, `flaky` fails its first attempt
/// and succeeds on the retry, `broken` always fails (so the run fails).
enum ObservedBlueprint {
    static let id = "observed"

    static let blueprint = WorkflowBlueprint(
        id: id,
        nodes: [
            NodeDefinition(id: "start", uses: "ok"),
            NodeDefinition(id: "flaky", uses: "flaky", config: NodeConfig(maxRetries: 2, retryDelay: 0)),
            NodeDefinition(id: "broken", uses: "broken"),
        ],
        edges: [
            EdgeDefinition(source: "start", target: "flaky"),
            EdgeDefinition(source: "flaky", target: "broken"),
        ])

    struct Failure: Error, CustomStringConvertible {
        var description: String
    }

    static var registry: NodeRegistry {
        var registry = NodeRegistry()
        registry.register("ok") { _ in NodeResult(output: "done") }
        registry.register("flaky") { ctx in
            if ctx.attempt == 1 { throw Failure(description: "first attempt of \(ctx.nodeID) fails") }
            return NodeResult(output: .int(ctx.attempt))
        }
        registry.register("broken") { ctx in throw Failure(description: "\(ctx.nodeID) always fails") }
        return registry
    }

    static func runtime(
        middleware: [any NodeMiddleware], eventHandler: WorkflowEventHandler? = nil
    ) throws -> FlowRuntime {
        try FlowRuntime(
            blueprints: [blueprint], registry: registry,
            options: FlowRuntime.Options(eventHandler: eventHandler, middleware: middleware))
    }
}

import Flowcraft

/// Routing of a node whose work goes on in dynamic workers (dynamic nodes it returns, or a batch
/// scatter's workers): once the workers finished, the node routes as itself — with its own output
/// and action, along its own edges and, when it is a fallback, along the failed node's edges too.
package enum SpawnerRoutingScenarios {
    typealias B = ScenarioBuilding

    package static var all: [WorkflowScenario] {
        [fallbackSpawnerTakesOverEdges, conditionsSeeSpawnerResult, scatterConditionsSeeScatterOutput,
         scatterSiblingsRunAfterWorkers]
    }

    /// A scatter's other successor runs once the batch's workers finished, like its gather.
    package static let scatterSiblingsRunAfterWorkers = WorkflowScenario(
        "a scatter's successors other than its gather run after every worker finished",
        blueprints: [B.blueprint(
            "batch-sibling",
            nodes: [B.node("items", "const", params: ["value": [1, 2, 3]]),
                    B.node("scatter", "batch-scatter", params: ["workerUsesKey": "slow-double", "gatherNodeId": "gather"]),
                    B.node("gather", "batch-gather", params: ["gatherNodeId": "gather", "outputKey": "doubled"]),
                    B.node("sibling", "count-done")],
            edges: [B.edge("items", "scatter"), B.edge("scatter", "gather"), B.edge("scatter", "sibling")])],
        registry: { probe in
            B.registry(probe, [
                "slow-double": { ctx in
                    try await Task.sleep(for: .milliseconds(20))
                    return NodeResult(output: .int((ctx.input.intValue ?? 0) * 2))
                },
                // How many workers had written their output when this node ran.
                "count-done": { ctx in
                    var done = 0
                    for i in 0..<3 where try await ctx.state.get("_outputs.slow-double_scatter_\(i)") != nil { done += 1 }
                    return NodeResult(output: .int(done))
                },
            ])
        },
        expect: ScenarioExpectation(
            status: .completed, context: ["doubled": [2, 4, 6], "_outputs.sibling": 3]))

    /// `collect` returns its input followed by the outputs of `fb-dyn-1` and `fb-dyn-2`.
    package static let fallbackSpawnerTakesOverEdges = WorkflowScenario(
        "a fallback returning dynamic nodes takes over the failed node's edges once they finished",
        blueprints: [B.blueprint(
            "fallback-spawner",
            nodes: [B.node("start", "const", params: ["value": "in"]),
                    B.node("primary", "broken", config: NodeConfig(fallback: "backup")),
                    B.node("backup", "backup-spawner"), B.node("next", "collect"), B.node("audit", "collect")],
            edges: [B.edge("start", "primary"), B.edge("primary", "next"), B.edge("backup", "audit")])],
        registry: { probe in
            B.registry(probe, [
                "broken": { _ in throw ScenarioFailure("primary is down") },
                "backup-spawner": { ctx in
                    NodeResult(output: .string("backup:" + (ctx.input.stringValue ?? "?")), dynamicNodes: [
                        NodeDefinition(id: "fb-dyn-1", uses: "const", params: ["value": 1]),
                        NodeDefinition(id: "fb-dyn-2", uses: "const", params: ["value": 2]),
                    ])
                },
                "collect": { ctx in
                    let one = try await ctx.state.get("_outputs.fb-dyn-1")
                    let two = try await ctx.state.get("_outputs.fb-dyn-2")
                    return NodeResult(output: [ctx.input, one ?? .null, two ?? .null])
                },
            ])
        },
        expect: ScenarioExpectation(
            status: .completed,
            context: [
                "_outputs.primary": "backup:in", "_outputs.backup": "backup:in", "_inputs.next": "backup:in",
                "_outputs.next": ["backup:in", 1, 2], "_outputs.audit": ["backup:in", 1, 2],
            ],
            eventSequence: [EventMatcher(.nodeFallback, "primary", ["fallback": "backup"]),
                            EventMatcher(.nodeFinish, "backup"), EventMatcher(.nodeStart, "next")],
            eventCounts: [(EventMatcher(.nodeStart, "next"), 1), (EventMatcher(.nodeStart, "audit"), 1)]))

    /// The last dynamic node outputs 2 with no action: conditions evaluated against it would take
    /// `wrong` and reject `right`.
    package static let conditionsSeeSpawnerResult = WorkflowScenario(
        "edge conditions after dynamic nodes see the spawner's output and action, not a dynamic node's",
        blueprints: [B.blueprint(
            "spawner-conditions",
            nodes: [B.node("spawn", "spawner"), B.node("right"), B.node("wrong"), B.node("other")],
            edges: [B.edge("spawn", "right", action: "go",
                           condition: "result.output == 'spawned' && result.action == 'go'"),
                    B.edge("spawn", "wrong", action: "go", condition: "result.output != 'spawned'"),
                    B.edge("spawn", "other", action: "stop")])],
        registry: { probe in
            B.registry(probe, [
                "spawner": { _ in
                    NodeResult(output: "spawned", action: "go", dynamicNodes: [
                        NodeDefinition(id: "cond-dyn-1", uses: "const", params: ["value": 1]),
                        NodeDefinition(id: "cond-dyn-2", uses: "const", params: ["value": 2]),
                    ])
                },
            ])
        },
        expect: ScenarioExpectation(
            status: .completed,
            context: ["_outputs.cond-dyn-1": 1, "_outputs.cond-dyn-2": 2, "_inputs.right": "spawned",
                      "_outputs.right": "spawned"],
            absentKeys: ["_outputs.wrong", "_outputs.other"],
            eventCounts: [(EventMatcher(.edgeEvaluate, "spawn", ["target": "right", "result": true]), 1),
                          (EventMatcher(.edgeEvaluate, "spawn", ["target": "wrong", "result": false]), 1),
                          (EventMatcher(.nodeSkipped, "wrong"), 1), (EventMatcher(.nodeSkipped, "other"), 1)]))

    /// A condition on the scatter's edge to its gather reads the scatter's own output (`count`); a
    /// worker's output (a number) has no `count`.
    package static let scatterConditionsSeeScatterOutput = WorkflowScenario(
        "batch scatter: conditions on the scatter's edges see its own output once the workers finished",
        blueprints: [B.blueprint(
            "scatter-conditions",
            nodes: [B.node("items", "const", params: ["value": [1, 2, 3]]),
                    B.node("scatter", "batch-scatter", params: ["workerUsesKey": "triple", "gatherNodeId": "gather"]),
                    B.node("gather", "batch-gather", params: ["gatherNodeId": "gather", "outputKey": "tripled"]),
                    B.node("after", inputs: .key("tripled"))],
            edges: [B.edge("items", "scatter"), B.edge("scatter", "gather", condition: "result.output.count == 3"),
                    B.edge("gather", "after")])],
        registry: { probe in
            B.registry(probe, ["triple": { ctx in NodeResult(output: .int((ctx.input.intValue ?? 0) * 3)) }])
        },
        expect: ScenarioExpectation(
            status: .completed, context: ["tripled": [3, 6, 9], "_outputs.after": [3, 6, 9]],
            eventCounts: [(EventMatcher(.nodeStart, "gather"), 1), (EventMatcher(.nodeSkipped, "gather"), 0)]))
}

import Flowcraft

/// What a node's completion makes visible, and to whom: routing sees the node's own output and
/// writes, a fallback's output lands under the failed node too, `sleep` passes its input on, a
/// resumed `wait` finishes like any node, and the engine's bookkeeping never shows in a result.
package enum DataFlowScenarios {
    typealias B = ScenarioBuilding

    package static var all: [WorkflowScenario] {
        [routingSeesOwnOutput, routingSeesOwnOutputEachRound, scatterAsFallback, bookkeepingStaysHidden,
         bookkeepingSurvivesPause, sleepPassesInputOn, resumedWaitFinishes]
    }

    /// `src` writes `score` and outputs `{n: 3}`: the conditions hold and the transform reads 3 only
    /// when routing sees this execution's writes.
    package static let routingSeesOwnOutput = WorkflowScenario(
        "edge conditions and transforms see the node's own output and state writes",
        blueprints: [B.blueprint(
            "own-output",
            nodes: [B.node("src", "scorer"), B.node("yes"), B.node("no"), B.node("shaped")],
            edges: [B.edge("src", "yes", condition: "context['_outputs.src'].n == 3 && score > 5"),
                    B.edge("src", "no", condition: "!(context['_outputs.src'].n == 3)"),
                    B.edge("src", "shaped", transform: "context['_outputs.src'].n")])],
        registry: { probe in
            B.registry(probe, ["scorer": { ctx in
                try await ctx.state.set("score", 7)
                return NodeResult(output: ["n": 3])
            }])
        },
        expect: ScenarioExpectation(
            status: .completed,
            context: ["_outputs.yes": ["n": 3], "_inputs.shaped": 3, "_outputs.shaped": 3],
            absentKeys: ["_outputs.no"],
            eventCounts: [(EventMatcher(.edgeEvaluate, "src", ["target": "yes", "result": true]), 1),
                          (EventMatcher(.nodeSkipped, "no"), 1)]))

    /// Inside a loop: the side edge holds only when `context['_outputs.body']` is this round's
    /// output (the previous round's never equals it), and its transform hands the side node that value.
    package static let routingSeesOwnOutputEachRound = WorkflowScenario(
        "inside a loop, routing sees the output of this round, not the previous one",
        blueprints: [B.blueprint(
            "own-output-loop",
            nodes: [B.node("start", "const", params: ["value": 0]), B.node("body", "increment"),
                    B.node("loop", "loop-controller", params: ["condition": "count < 3"]), B.node("side"),
                    B.node("done", inputs: .key("count"))],
            edges: [B.edge("start", "body"), B.edge("body", "loop"),
                    B.edge("body", "side", condition: "context['_outputs.body'] == result.output",
                           transform: "context['_outputs.body']"),
                    B.edge("loop", "body", action: "continue"), B.edge("loop", "done", action: "break")])],
        registry: { B.registry($0, ["increment": BuiltinScenarios.increment]) },
        expect: ScenarioExpectation(
            status: .completed, context: ["count": 3, "_outputs.done": 3],
            eventCounts: [(EventMatcher(.nodeStart, "side"), 3), (EventMatcher(.nodeStart, "side", ["input": 1]), 1),
                          (EventMatcher(.nodeStart, "side", ["input": 2]), 1),
                          (EventMatcher(.nodeStart, "side", ["input": 3]), 1),
                          (EventMatcher(.edgeEvaluate, "body", ["target": "side", "result": false]), 0)]))

    /// `primary` fails; its fallback is a scatter, which takes over its edges (to the gather) and
    /// its output key.
    package static let scatterAsFallback = WorkflowScenario(
        "a batch-scatter fallback writes its output under the failed node and takes over its edges",
        blueprints: [B.blueprint(
            "scatter-fallback",
            nodes: [B.node("items", "const", params: ["value": [1, 2]]),
                    B.node("primary", "broken", config: NodeConfig(fallback: "scatter")),
                    B.node("scatter", "batch-scatter", params: ["workerUsesKey": "double", "gatherNodeId": "gather"]),
                    B.node("gather", "batch-gather", params: ["gatherNodeId": "gather", "outputKey": "doubled"]),
                    B.node("after", inputs: .key("doubled"))],
            edges: [B.edge("items", "primary"), B.edge("primary", "gather"), B.edge("gather", "after")])],
        registry: { probe in
            B.registry(probe, [
                "broken": { _ in throw ScenarioFailure("primary is down") },
                "double": { ctx in NodeResult(output: .int((ctx.input.intValue ?? 0) * 2)) },
            ])
        },
        expect: ScenarioExpectation(
            status: .completed,
            context: ["_outputs.primary": ["gatherNodeId": "gather", "count": 2],
                      "_outputs.scatter": ["gatherNodeId": "gather", "count": 2], "doubled": [2, 4],
                      "_outputs.after": [2, 4]],
            eventSequence: [EventMatcher(.nodeFallback, "primary", ["fallback": "scatter"]),
                            EventMatcher(.nodeFinish, "scatter"), EventMatcher(.nodeStart, "gather")]))

    /// Names the engines used for their bookkeeping before it moved under `ContextKeys.reservedPrefix`.
    static let formerBookkeepingKeys = [
        "_batch.scatter_item_0", "_batch.scatter_item_1", "gather_allWorkerIds", "gather_hasMore", "_dynamic.spawn#0",
    ]

    /// A batch and dynamic nodes leave no bookkeeping in the result; conditions on the gather's
    /// output (`_outputs.gather`) and its `outputKey` see this execution's values.
    package static let bookkeepingStaysHidden = WorkflowScenario(
        "batch and dynamic-node bookkeeping never shows in the result; conditions see the gather's output",
        blueprints: [B.blueprint(
            "bookkeeping",
            nodes: [B.node("items", "const", params: ["value": [1, 2]]),
                    B.node("scatter", "batch-scatter", params: ["workerUsesKey": "double", "gatherNodeId": "gather"]),
                    B.node("gather", "batch-gather", params: ["gatherNodeId": "gather", "outputKey": "doubled"]),
                    B.node("big"), B.node("small"), B.node("spawn", "spawner")],
            edges: [B.edge("items", "scatter"), B.edge("scatter", "gather"),
                    B.edge("gather", "big", condition: "context['_outputs.gather'][1] == 4 && doubled[0] == 2"),
                    B.edge("gather", "small", condition: "!(context['_outputs.gather'][1] == 4)"),
                    B.edge("big", "spawn")])],
        registry: { probe in
            B.registry(probe, [
                "double": { ctx in NodeResult(output: .int((ctx.input.intValue ?? 0) * 2)) },
                "spawner": { _ in
                    NodeResult(output: "spawned", dynamicNodes: [
                        NodeDefinition(id: "hidden-dyn-1", uses: "const", params: ["value": 1]),
                    ])
                },
            ])
        },
        expect: ScenarioExpectation(
            status: .completed,
            context: ["doubled": [2, 4], "_outputs.gather": [2, 4], "_outputs.big": [2, 4], "_outputs.spawn": "spawned",
                      "_outputs.hidden-dyn-1": 1, "_outputs.double_scatter_0": 2, "_outputs.double_scatter_1": 4,
                      "_outputs.scatter": ["gatherNodeId": "gather", "count": 2], "_inputs.scatter": [1, 2]],
            absentKeys: formerBookkeepingKeys + ["_outputs.small"]
        ) { outcome in
            let leaked = outcome.result.context.keys.filter { key in
                ContextKeys.isInternal(key) || key.hasPrefix("_batch.") || key.hasPrefix("_dynamic.")
                    || key.hasSuffix("_hasMore") || key.hasSuffix("_allWorkerIds")
            }
            return leaked.isEmpty ? [] : ["bookkeeping keys in the result: \(leaked.sorted())"]
        })

    /// The run pauses between a batch and its gather: the paused result shows no bookkeeping, yet the
    /// gather, run after a reload and a resume, still finds the batch's workers.
    package static let bookkeepingSurvivesPause = WorkflowScenario(
        "bookkeeping is hidden from a paused run's result but kept in its state for the gather after resume",
        blueprints: [B.blueprint(
            "bookkeeping-pause",
            nodes: [B.node("items", "const", params: ["value": [1, 2]]),
                    B.node("scatter", "batch-scatter", params: ["workerUsesKey": "double", "gatherNodeId": "gather"]),
                    B.node("ask", "wait"),
                    B.node("gather", "batch-gather", params: ["gatherNodeId": "gather", "outputKey": "doubled"])],
            edges: [B.edge("items", "scatter"), B.edge("scatter", "ask"), B.edge("ask", "gather")])],
        registry: { probe in
            B.registry(probe, ["double": { ctx in NodeResult(output: .int((ctx.input.intValue ?? 0) * 2)) }])
        },
        steps: [.persistAndReload, .resume(nodeID: "ask", output: "go")],
        expect: ScenarioExpectation(
            status: .completed, context: ["doubled": [2, 4], "_outputs.gather": [2, 4], "_outputs.ask": "go"],
            absentKeys: formerBookkeepingKeys
        ) { outcome in
            var problems: [String] = []
            let paused = outcome.intermediate[0]
            if paused.status != .awaiting { problems.append("first run \(paused.status.rawValue), expected awaiting") }
            for result in outcome.intermediate {
                let leaked = result.context.keys.filter(ContextKeys.isInternal)
                if !leaked.isEmpty { problems.append("bookkeeping keys in a result: \(leaked.sorted())") }
            }
            return problems
        })

    /// A sleep that pauses (woken after a reload) and a zero-length one both output their input.
    package static let sleepPassesInputOn = WorkflowScenario(
        "sleep outputs its input, whether it pauses the run or lasts zero milliseconds",
        blueprints: [B.blueprint(
            "sleep-output",
            nodes: [B.node("before", "const", params: ["value": ["order": 7]]),
                    B.node("nap", "sleep", params: ["duration": 50]), B.node("after"),
                    B.node("blink", "sleep", params: ["duration": 0]), B.node("after-blink")],
            edges: [B.edge("before", "nap"), B.edge("nap", "after"), B.edge("before", "blink"),
                    B.edge("blink", "after-blink")])],
        registry: { B.registry($0) },
        steps: [.persistAndReload, .wake],
        expect: ScenarioExpectation(
            status: .completed,
            context: ["_outputs.nap": ["order": 7], "_outputs.after": ["order": 7], "_outputs.blink": ["order": 7],
                      "_outputs.after-blink": ["order": 7]],
            eventCounts: [(EventMatcher(.nodeFinish, "nap", ["output": ["order": 7]]), 1),
                          (EventMatcher(.nodeFinish, "blink", ["output": ["order": 7]]), 1)]))

    /// The resumed `wait` emits `node:finish` with the resume's output and action, before its
    /// successor starts.
    package static let resumedWaitFinishes = WorkflowScenario(
        "a resumed wait emits node:finish with its output and action",
        blueprints: [B.blueprint(
            "wait-finish", nodes: [B.node("ask", "wait"), B.node("approved"), B.node("rejected")],
            edges: [B.edge("ask", "approved", action: "approve"), B.edge("ask", "rejected", action: "reject")])],
        registry: { B.registry($0) },
        steps: [.resume(nodeID: "ask", action: "approve", output: "ok")],
        expect: ScenarioExpectation(
            status: .completed, context: ["_outputs.ask": "ok", "_outputs.approved": "ok"],
            eventSequence: [EventMatcher(.workflowResume, "ask"),
                            EventMatcher(.nodeFinish, "ask", ["output": "ok", "action": "approve"]),
                            EventMatcher(.nodeStart, "approved"), EventMatcher(.workflowFinish, nil, ["status": "completed"])],
            eventCounts: [(EventMatcher(.nodeFinish, "ask"), 1)]))
}

import Flowcraft


/// Routing and data flow: actions, conditions, transforms, inputs, joins and dead paths.
package enum RoutingScenarios {
    typealias B = ScenarioBuilding

    package static var all: [WorkflowScenario] {
        [chain, actionRouting, unlabelledWhenNoActionMatches, conditions, transform, inputResolution,
         exclusiveBranchesIntoAllJoin, fanInAllJoin, anyJoinFiresOnce, completesWhenNoWorkLeft, stallIsReported, dynamicNodes]
    }

    package static let chain = WorkflowScenario(
        "chain passes outputs as inputs",
        blueprints: [B.blueprint("chain", nodes: [B.node("a", "const", params: ["value": 7]), B.node("b"), B.node("c")],
                                 edges: B.chain(["a", "b", "c"]))],
        registry: { B.registry($0) },
        expect: ScenarioExpectation(
            status: .completed, context: ["_outputs.c": 7, "_inputs.b": 7, "_inputs.c": 7],
            eventSequence: [EventMatcher(.workflowStart), EventMatcher(.nodeStart, "a"), EventMatcher(.nodeFinish, "a"),
                            EventMatcher(.nodeStart, "b"), EventMatcher(.nodeFinish, "c"),
                            EventMatcher(.workflowFinish, nil, ["status": "completed"])]))

    package static let actionRouting = WorkflowScenario(
        "action selects labelled edges",
        blueprints: [B.blueprint(
            "actions",
            nodes: [B.node("review", "const", params: ["value": "ok", "action": "approve"]), B.node("approved"),
                    B.node("rejected")],
            edges: [B.edge("review", "approved", action: "approve"), B.edge("review", "rejected", action: "reject")])],
        registry: { B.registry($0) },
        expect: ScenarioExpectation(
            status: .completed, context: ["_outputs.approved": "ok"], absentKeys: ["_outputs.rejected"],
            eventCounts: [(EventMatcher(.nodeSkipped, "rejected"), 1)]))

    package static let unlabelledWhenNoActionMatches = WorkflowScenario(
        "unlabelled edges when no action edge matches",
        blueprints: [B.blueprint(
            "default-edge",
            nodes: [B.node("route", "const", params: ["value": 1, "action": "unknown"]), B.node("special"),
                    B.node("fallthrough")],
            edges: [B.edge("route", "special", action: "special"), B.edge("route", "fallthrough")])],
        registry: { B.registry($0) },
        expect: ScenarioExpectation(
            status: .completed, context: ["_outputs.fallthrough": 1], absentKeys: ["_outputs.special"]))

    package static let conditions = WorkflowScenario(
        "conditions guard edges (result and context roots)",
        blueprints: [B.blueprint(
            "conditions",
            nodes: [B.node("order", "const", params: ["value": ["total": 150]]), B.node("big"), B.node("small"),
                    B.node("vip")],
            edges: [B.edge("order", "big", condition: "result.output.total > 100"),
                    B.edge("order", "small", condition: "result.output.total <= 100"),
                    B.edge("order", "vip", condition: "tier == 'gold' && context.tier == 'gold'")])],
        context: ["tier": "gold"],
        registry: { B.registry($0) },
        expect: ScenarioExpectation(
            status: .completed, context: ["_outputs.big": ["total": 150], "_outputs.vip": ["total": 150]],
            absentKeys: ["_outputs.small"],
            eventCounts: [(EventMatcher(.edgeEvaluate, "order", ["target": "big", "result": true]), 1),
                          (EventMatcher(.edgeEvaluate, "order", ["target": "small", "result": false]), 1)]))

    package static let transform = WorkflowScenario(
        "transform computes the target's input",
        blueprints: [B.blueprint(
            "transform",
            nodes: [B.node("fetch", "const", params: ["value": ["user": ["name": "Ann"], "items": [1, 2]]]),
                    B.node("greet")],
            edges: [B.edge("fetch", "greet", transform: "input.user.name")])],
        registry: { B.registry($0) },
        expect: ScenarioExpectation(status: .completed, context: ["_inputs.greet": "Ann", "_outputs.greet": "Ann"]))

    package static let inputResolution = WorkflowScenario(
        "inputs resolve _outputs, raw keys, dotted paths and lists",
        blueprints: [B.blueprint(
            "inputs",
            nodes: [B.node("fetch", "const", params: ["value": ["id": 5, "tags": ["x", "y"]]]),
                    B.node("collect", inputs: .mapping([
                        "order": "fetch", "raw": "plain", "id": "fetch.id", "tag": "fetch.tags.1",
                        "user": "profile.name", "both": ["fetch.id", "plain"], "internal": "_outputs.fetch",
                    ])),
                    B.node("single", inputs: .key("plain"))],
            edges: [B.edge("fetch", "collect"), B.edge("collect", "single")])],
        context: ["plain": "p", "profile": ["name": "Bo"]],
        registry: { B.registry($0) },
        expect: ScenarioExpectation(
            status: .completed,
            context: [
                "_outputs.collect": [
                    "order": ["id": 5, "tags": ["x", "y"]], "raw": "p", "id": 5, "tag": "y", "user": "Bo",
                    "both": [5, "p"], "internal": ["id": 5, "tags": ["x", "y"]],
                ],
                "_outputs.single": "p",
            ]))

    package static let exclusiveBranchesIntoAllJoin = WorkflowScenario(
        "exclusive branches into an all join still fire it (dead-path elimination)",
        blueprints: [B.blueprint(
            "diamond",
            nodes: [B.node("decide", "const", params: ["value": "L", "action": "left"]), B.node("left"), B.node("right"),
                    B.node("right2"), B.node("join", inputs: .key("decide"), config: NodeConfig(joinStrategy: .all)),
                    B.node("end")],
            edges: [B.edge("decide", "left", action: "left"), B.edge("decide", "right", action: "right"),
                    B.edge("right", "right2"), B.edge("left", "join"), B.edge("right2", "join"), B.edge("join", "end")])],
        registry: { B.registry($0) },
        expect: ScenarioExpectation(
            status: .completed, context: ["_outputs.join": "L"], absentKeys: ["_outputs.right", "_outputs.right2"],
            eventCounts: [(EventMatcher(.nodeSkipped, "right"), 1), (EventMatcher(.nodeSkipped, "right2"), 1),
                          (EventMatcher(.nodeStart, "join"), 1), (EventMatcher(.nodeStart, "end"), 1)]))

    package static let fanInAllJoin = WorkflowScenario(
        "all join waits for every live predecessor and fires once",
        blueprints: [B.blueprint(
            "fan",
            nodes: [B.node("start", "const", params: ["value": 1]), B.node("a"), B.node("b"), B.node("c"),
                    B.node("join", "count-join")],
            edges: [B.edge("start", "a"), B.edge("start", "b"), B.edge("start", "c"), B.edge("a", "join"),
                    B.edge("b", "join"), B.edge("c", "join")])],
        registry: { probe in
            B.registry(probe, ["count-join": { ctx in
                let seen = try await ["a", "b", "c"].asyncCount { try await ctx.state.get("_outputs." + $0) != nil }
                probe.increment("join")
                return NodeResult(output: .int(seen))
            }])
        },
        expect: ScenarioExpectation(status: .completed, context: ["_outputs.join": 3]) { outcome in
            outcome.probe.count("join") == 1 ? [] : ["join ran \(outcome.probe.count("join")) times"]
        })

    package static let anyJoinFiresOnce = WorkflowScenario(
        "any join fires once on the first arrival",
        blueprints: [B.blueprint(
            "any",
            nodes: [B.node("start", "const", params: ["value": 1]), B.node("a"), B.node("b"),
                    B.node("first", config: NodeConfig(joinStrategy: .any))],
            edges: [B.edge("start", "a"), B.edge("start", "b"), B.edge("a", "first"), B.edge("b", "first")])],
        registry: { B.registry($0) },
        expect: ScenarioExpectation(status: .completed, eventCounts: [(EventMatcher(.nodeStart, "first"), 1)]))

    package static let completesWhenNoWorkLeft = WorkflowScenario(
        "a run completes when no work is left, not when every terminal ran",
        blueprints: [B.blueprint(
            "partial",
            nodes: [B.node("check", "const", params: ["value": 0]), B.node("alert"), B.node("page")],
            edges: [B.edge("check", "alert", condition: "result.output > 0"), B.edge("alert", "page")])],
        registry: { B.registry($0) },
        expect: ScenarioExpectation(
            status: .completed, absentKeys: ["_outputs.alert", "_outputs.page"],
            eventCounts: [(EventMatcher(.nodeSkipped, "page"), 1)]))

    package static let stallIsReported = WorkflowScenario(
        "a join behind a never-reached predecessor: workflow:stall names the join and the run fails",
        blueprints: [B.blueprint(
            "stall",
            nodes: [B.node("a", "const", params: ["value": 1]), B.node("x"), B.node("y"), B.node("join")],
            edges: [B.edge("x", "y"), B.edge("y", "x"), B.edge("y", "join"), B.edge("a", "join")])],
        registry: { B.registry($0) },
        expect: ScenarioExpectation(
            status: .failed, absentKeys: ["_outputs.join"], failedNode: "join", errorContains: "[STUCK_JOIN] join 'join'",
            eventSequence: [EventMatcher(.workflowStall, nil, ["remainingNodes": ["join"]]),
                            EventMatcher(.workflowFinish, nil, ["status": "failed"])]))

    package static let dynamicNodes = WorkflowScenario(
        "dynamic nodes returned by a node run before its successors",
        blueprints: [B.blueprint(
            "dynamic", nodes: [B.node("spawn", "spawner"), B.node("after", "after-check")],
            edges: [B.edge("spawn", "after")])],
        registry: { probe in
            B.registry(probe, [
                "spawner": { _ in
                    NodeResult(output: "spawned", dynamicNodes: [
                        NodeDefinition(id: "dyn-1", uses: "const", params: ["value": 1]),
                        NodeDefinition(id: "dyn-2", uses: "const", params: ["value": 2]),
                    ])
                },
                "after-check": { ctx in
                    let one = try await ctx.state.get("_outputs.dyn-1")
                    let two = try await ctx.state.get("_outputs.dyn-2")
                    return NodeResult(output: [one ?? .null, two ?? .null])
                },
            ])
        },
        expect: ScenarioExpectation(status: .completed, context: ["_outputs.after": [1, 2]]))
}

extension Array {
    func asyncCount(_ predicate: (Element) async throws -> Bool) async rethrows -> Int {
        var n = 0
        for e in self where try await predicate(e) { n += 1 }
        return n
    }
}

import Flowcraft

/// Loops, subflows, batches, sleep and wait.
package enum BuiltinScenarios {
    typealias B = ScenarioBuilding

    package static var all: [WorkflowScenario] {
        [loop, loopCap, loopBound, nestedLoops, pollingLoopThroughSleep, subflowMapping, nestedSubflowAwaitingThenResume, batchKeepsOrderWithChunks, batchWorkerReadsItsIndex, batchEventsReportTheWindow, durableSleep,
         sleepWithoutDuration, waitResumeRoutesByAction]
    }

    /// `count += 1` in the context; returns the new count.
    static let increment: @Sendable (NodeContext) async throws -> NodeResult = { ctx in
        let next = (try await ctx.state.get("count")?.intValue ?? 0) + 1
        try await ctx.state.set("count", .int(next))
        return NodeResult(output: .int(next))
    }

    static func loopBlueprint(_ id: String, condition: String, maxIterations: Int? = nil) -> WorkflowBlueprint {
        var params: [String: JSONValue] = ["condition": .string(condition)]
        if let maxIterations { params["maxIterations"] = .int(maxIterations) }
        return B.blueprint(
            id,
            nodes: [B.node("start", "const", params: ["value": 0]), B.node("body", "increment"),
                    B.node("loop", "loop-controller", params: params), B.node("done", inputs: .key("count"))],
            edges: [B.edge("start", "body"), B.edge("body", "loop"), B.edge("loop", "body", action: "continue"),
                    B.edge("loop", "done", action: "break")])
    }

    package static let loop = WorkflowScenario(
        "loop-controller continues while its condition holds, then breaks",
        blueprints: [loopBlueprint("loop", condition: "count < 3")],
        registry: { B.registry($0, ["increment": increment]) },
        expect: ScenarioExpectation(
            status: .completed, context: ["count": 3, "_outputs.done": 3, "_outputs.loop": ["iteration": 2, "continue": false]],
            eventSequence: [EventMatcher(.nodeFinish, "body", ["output": 1]),
                            EventMatcher(.nodeFinish, "loop", ["action": "continue"]),
                            EventMatcher(.nodeFinish, "body", ["output": 2]),
                            EventMatcher(.nodeFinish, "body", ["output": 3]),
                            EventMatcher(.nodeFinish, "loop", ["action": "break"]), EventMatcher(.nodeStart, "done")],
            eventCounts: [(EventMatcher(.nodeStart, "body"), 3), (EventMatcher(.nodeStart, "done"), 1),
                          (EventMatcher(.nodeSkipped, "done"), 0)]))

    package static let loopCap = WorkflowScenario(
        "a loop that never ends hits its iteration cap with a clear error",
        blueprints: [loopBlueprint("runaway", condition: "true", maxIterations: 5)],
        registry: { B.registry($0, ["increment": increment]) },
        expect: ScenarioExpectation(
            status: .failed, context: ["count": 6], failedNode: "loop", errorContains: "iteration cap of 5"))

    /// A blueprint built in code can set any `maxIterations`; the compiler reports one above
    /// `BuiltinNode.maximumLoopIterations`, and both engines fail the loop at its first `continue`
    /// rather than loop (nearly) forever.
    package static let loopBound = WorkflowScenario(
        "a loop whose maxIterations passes the loop iteration bound fails at its first continue",
        blueprints: [loopBlueprint("unbounded", condition: "true", maxIterations: Int.max)],
        registry: { B.registry($0, ["increment": increment]) },
        expect: ScenarioExpectation(
            status: .failed, context: ["count": 1], failedNode: "loop",
            errorContains: "outside the allowed range 1...\(BuiltinNode.maximumLoopIterations)"))

    /// Adds 1 to the context key `params.key` (and to `total` when `params.total` is true).
    static let bump: @Sendable (NodeContext) async throws -> NodeResult = { ctx in
        let key = ctx.params["key"]?.stringValue ?? "count"
        let next = (try await ctx.state.get(key)?.intValue ?? 0) + 1
        try await ctx.state.set(key, .int(next))
        if ctx.params["total"] == true {
            try await ctx.state.set("total", .int((try await ctx.state.get("total")?.intValue ?? 0) + 1))
        }
        return NodeResult(output: .int(next))
    }

    package static let nestedLoops = WorkflowScenario(
        "a loop inside a loop runs its rounds on every outer round, counting each entry from one",
        blueprints: [B.blueprint(
            "nested-loops",
            nodes: [B.node("start", "const", params: ["value": 0]),
                    B.node("outer-body", "bump", params: ["key": "outer"]),
                    B.node("reset", "zero"),
                    B.node("inner-body", "bump", params: ["key": "inner", "total": true]),
                    B.node("inner", "loop-controller", params: ["condition": "inner < 3", "maxIterations": 2]),
                    B.node("outer", "loop-controller", params: ["condition": "outer < 2"]),
                    B.node("done", inputs: .key("total"))],
            edges: [B.edge("start", "outer-body"), B.edge("outer-body", "reset"),
                    B.edge("reset", "inner-body"), B.edge("inner-body", "inner"),
                    B.edge("inner", "inner-body", action: "continue"), B.edge("inner", "outer", action: "break"),
                    B.edge("outer", "outer-body", action: "continue"), B.edge("outer", "done", action: "break")])],
        registry: { probe in
            B.registry(probe, [
                "bump": bump,
                "zero": { ctx in
                    try await ctx.state.set("inner", 0)
                    return NodeResult(output: 0)
                },
            ])
        },
        expect: ScenarioExpectation(
            status: .completed,
            context: ["outer": 2, "total": 6, "_outputs.done": 6, "_outputs.inner": ["iteration": 2, "continue": false],
                      "_outputs.outer": ["iteration": 1, "continue": false]],
            eventCounts: [(EventMatcher(.nodeStart, "inner-body"), 6), (EventMatcher(.nodeStart, "inner"), 6),
                          (EventMatcher(.nodeStart, "outer-body"), 2), (EventMatcher(.nodeStart, "outer"), 2),
                          (EventMatcher(.nodeStart, "done"), 1)]))

    package static let pollingLoopThroughSleep = WorkflowScenario(
        "a loop re-entered through a sleep and a loop-back edge runs each iteration",
        blueprints: [B.blueprint(
            "polling",
            nodes: [B.node("start", "const", params: ["value": 0]),
                    B.node("check", "increment", config: NodeConfig(joinStrategy: .any)),
                    B.node("poll", "loop-controller", params: ["condition": "count < 3"]),
                    B.node("pause", "sleep", params: ["duration": 1000]), B.node("done", inputs: .key("count"))],
            edges: [B.edge("start", "check"), B.edge("check", "poll"), B.edge("poll", "pause", action: "continue"),
                    B.edge("pause", "check"), B.edge("poll", "done", action: "break")])],
        registry: { B.registry($0, ["increment": increment]) },
        steps: [.wake, .persistAndReload, .wake],
        expect: ScenarioExpectation(
            status: .completed, context: ["count": 3, "_outputs.done": 3],
            eventCounts: [(EventMatcher(.nodeStart, "check"), 3), (EventMatcher(.nodeStart, "done"), 1)]
        ) { outcome in
            outcome.intermediate.map(\.status) == [.awaiting, .awaiting, .awaiting, .completed]
                ? [] : ["statuses \(outcome.intermediate.map(\.status))"]
        })

    static let child = B.blueprint(
        "double-it", nodes: [B.node("double", "double", inputs: .key("value"))], edges: [])

    package static let subflowMapping = WorkflowScenario(
        "subflow maps inputs in and outputs out",
        blueprints: [
            B.blueprint(
                "parent",
                nodes: [B.node("prepare", "const", params: ["value": 21]),
                        B.node("sub", "subflow", params: [
                            "blueprintId": "double-it", "inputs": ["value": "prepare"], "outputs": ["doubled": "double"],
                        ]),
                        B.node("after", inputs: .key("doubled"))],
                edges: [B.edge("prepare", "sub"), B.edge("sub", "after")]),
            child,
        ],
        registry: { probe in
            B.registry(probe, ["double": { ctx in NodeResult(output: .int((ctx.input.intValue ?? 0) * 2)) }])
        },
        expect: ScenarioExpectation(status: .completed, context: ["doubled": 42, "_outputs.after": 42]))

    package static let nestedSubflowAwaitingThenResume = WorkflowScenario(
        "a wait inside a subflow pauses the parent; resume routes inside the child, then the parent continues",
        blueprints: [
            B.blueprint(
                "outer", nodes: [B.node("sub", "subflow", params: ["blueprintId": "approval"]), B.node("after")],
                edges: [B.edge("sub", "after")]),
            B.blueprint(
                "approval", nodes: [B.node("ask", "wait"), B.node("yes"), B.node("no")],
                edges: [B.edge("ask", "yes", action: "approve"), B.edge("ask", "no", action: "reject")]),
        ],
        registry: { B.registry($0) },
        steps: [.persistAndReload, .resume(action: "approve", output: "by-ann")],
        expect: ScenarioExpectation(
            status: .completed, context: ["_outputs.sub": ["yes": "by-ann", "no": nil], "_outputs.after": ["yes": "by-ann", "no": nil]]
        ) { outcome in
            let first = outcome.intermediate[0]
            var problems: [String] = []
            if first.status != .awaiting { problems.append("first run \(first.status.rawValue), expected awaiting") }
            if first.awaiting.map(\.nodeID) != ["sub"] { problems.append("awaiting \(first.awaiting)") }
            if first.snapshot?.children["sub"]?.scheduler.awaiting.first?.nodeID != "ask" {
                problems.append("child snapshot does not hold the paused 'ask'")
            }
            return problems
        })

    package static let batchKeepsOrderWithChunks = WorkflowScenario(
        "batch scatter/gather: chunkSize bounds the workers in flight, results keep input order and empty slots",
        blueprints: [B.blueprint(
            "batch",
            nodes: [B.node("items", "const", params: ["value": [1, 2, 3, 4, 5, 6, 7]]),
                    B.node("scatter", "batch-scatter", params: ["workerUsesKey": "double", "gatherNodeId": "gather", "chunkSize": 3]),
                    B.node("gather", "batch-gather", params: ["gatherNodeId": "gather", "outputKey": "doubled"]),
                    B.node("after", inputs: .key("doubled"))],
            edges: [B.edge("items", "scatter"), B.edge("scatter", "gather"), B.edge("gather", "after")])],
        registry: { probe in
            B.registry(probe, ["double": { ctx in
                probe.enter("workers")
                defer { probe.leave("workers") }
                let value = ctx.input.intValue ?? 0
                // Later items finish first, so order must come from the slots, not completion.
                try await Task.sleep(for: .milliseconds(8 - value))
                return NodeResult(output: value == 4 ? .null : .int(value * 2))
            }])
        },
        expect: ScenarioExpectation(
            status: .completed, context: ["_outputs.after": [2, 4, 6, nil, 10, 12, 14]],
            eventCounts: [(EventMatcher(.batchStart, "scatter"), 1), (EventMatcher(.batchFinish, "gather"), 1),
                          (EventMatcher(.nodeStart, "gather"), 1)]
        ) { outcome in
            let peak = outcome.probe.peak("workers")
            return peak <= 3 && peak >= 1 ? [] : ["peak concurrent workers \(peak), chunkSize is 3"]
        })

    package static let batchWorkerReadsItsIndex = WorkflowScenario(
        "batch scatter/gather: a worker reads its item's index (NodeContext.batchItemIndex); other nodes read nil",
        blueprints: [B.blueprint(
            "batch-index",
            nodes: [B.node("items", "const", params: ["value": ["a", "b", "c"]]),
                    B.node("scatter", "batch-scatter", params: ["workerUsesKey": "tag", "gatherNodeId": "gather", "chunkSize": 2]),
                    B.node("gather", "batch-gather", params: ["gatherNodeId": "gather", "outputKey": "tagged"]),
                    B.node("after", "tag", inputs: .key("tagged"))],
            edges: [B.edge("items", "scatter"), B.edge("scatter", "gather"), B.edge("gather", "after")])],
        registry: { probe in
            B.registry(probe, ["tag": { ctx in
                guard let index = ctx.batchItemIndex else { return NodeResult(output: ["unindexed": ctx.input]) }
                return NodeResult(output: .string("\(index):\(ctx.input.stringValue ?? "?")"))
            }])
        },
        expect: ScenarioExpectation(
            status: .completed, context: ["_outputs.after": ["unindexed": ["0:a", "1:b", "2:c"]]]))

    /// `batch:start` reports the workers in flight at once (`BatchPlan.window`), not the raw
    /// `chunkSize` param: the in-memory engine reported the param, the distributed engine the window.
    package static let batchEventsReportTheWindow = WorkflowScenario(
        "batch events: batch:start reports the workers in flight at once (a chunkSize above the item count is the count)",
        blueprints: [B.blueprint(
            "batch-window",
            nodes: [B.node("items", "const", params: ["value": [1, 2]]),
                    B.node("scatter", "batch-scatter", params: ["workerUsesKey": "double", "gatherNodeId": "gather", "chunkSize": 5]),
                    B.node("gather", "batch-gather", params: ["gatherNodeId": "gather", "outputKey": "doubled"])],
            edges: [B.edge("items", "scatter"), B.edge("scatter", "gather")])],
        registry: { probe in
            B.registry(probe, ["double": { ctx in NodeResult(output: .int((ctx.input.intValue ?? 0) * 2)) }])
        },
        expect: ScenarioExpectation(
            status: .completed, context: ["doubled": [2, 4]],
            eventSequence: [EventMatcher(.batchStart, "scatter", ["chunkSize": 2, "scatterNodeId": "scatter"]),
                            EventMatcher(.batchFinish, "gather", ["gatherNodeId": "gather", "results": [2, 4]])]))

    /// A blueprint built in code may give a `sleep` no readable `duration` (the compiler reports it):
    /// both engines fail the node (`BuiltinStep`); the distributed engine used to pass the input on
    /// without a delay.
    package static let sleepWithoutDuration = WorkflowScenario(
        "a sleep without a readable duration fails the node in both engines",
        blueprints: [B.blueprint(
            "bad-nap", nodes: [B.node("before", "const", params: ["value": 1]),
                               B.node("nap", "sleep", params: ["duration": "soon"]), B.node("after", inputs: .key("before"))],
            edges: B.chain(["before", "nap", "after"]))],
        registry: { B.registry($0) },
        expect: ScenarioExpectation(
            status: .failed, context: ["_outputs.before": 1], absentKeys: ["_outputs.nap", "_outputs.after"],
            failedNode: "nap", errorContains: "sleep needs a 'duration'"))

    package static let durableSleep = WorkflowScenario(
        "sleep pauses the run durably; a new runtime wakes it from the serialized state",
        blueprints: [B.blueprint(
            "nap", nodes: [B.node("before", "const", params: ["value": 1]),
                           B.node("nap", "sleep", params: ["duration": "5s"]), B.node("after", inputs: .key("before"))],
            edges: B.chain(["before", "nap", "after"]))],
        registry: { B.registry($0) },
        steps: [.persistAndReload, .wake],
        expect: ScenarioExpectation(
            status: .completed, context: ["_outputs.after": 1],
            eventSequence: [EventMatcher(.workflowPause, nil, ["awaiting": ["nap"]]),
                            EventMatcher(.workflowFinish, nil, ["status": "awaiting"]), EventMatcher(.workflowResume),
                            EventMatcher(.nodeFinish, "nap"), EventMatcher(.nodeFinish, "after")]
        ) { outcome in
            let first = outcome.intermediate[0]
            var problems: [String] = []
            if first.status != .awaiting { problems.append("first run \(first.status.rawValue)") }
            if first.awaiting.first?.wakeAt != 1_700_000_000_000 + 5000 {
                problems.append("wakeAt \(String(describing: first.awaiting.first?.wakeAt))")
            }
            if outcome.clockSleeps != [5000] { problems.append("clock sleeps \(outcome.clockSleeps)") }
            return problems
        })

    package static let waitResumeRoutesByAction = WorkflowScenario(
        "wait pauses until resume; the resume action routes",
        blueprints: [B.blueprint(
            "approve", nodes: [B.node("ask", "wait"), B.node("approved"), B.node("rejected")],
            edges: [B.edge("ask", "approved", action: "approve"), B.edge("ask", "rejected", action: "reject")])],
        registry: { B.registry($0) },
        steps: [.resume(nodeID: "ask", action: "reject", output: "too expensive")],
        expect: ScenarioExpectation(
            status: .completed, context: ["_outputs.ask": "too expensive", "_outputs.rejected": "too expensive"],
            absentKeys: ["_outputs.approved"]
        ) { outcome in
            outcome.intermediate[0].status == .awaiting ? [] : ["first run was not awaiting"]
        })
}

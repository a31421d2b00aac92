import Flowcraft

/// ``SizeLimits``: an oversized output or context value fails its run at once, naming the node, the
/// size and the limit; nothing of that completion is stored.
package enum SizeLimitScenarios {
    typealias B = ScenarioBuilding

    package static var all: [WorkflowScenario] {
        [oversizedOutputFailsRun, oversizedValueFailsRun, runContextOverLimitFailsRun, runContextUnderLimitCompletes, deeplyNestedOutputFailsRun,
         oversizedBatchWorkerOutputFailsRun, oversizedDynamicNodeOutputFailsRun, batchWorkersOverRunContextLimitFailRun,
         parallelNodesOverRunContextLimitFailRun]
    }

    static let limits = SizeLimits(maximumOutputBytes: 1_000, maximumValueBytes: 1_000, maximumStatusPayloadBytes: 100_000)

    /// Values of 800 bytes each, a run context of at most 3 000 bytes.
    static let runLimits = SizeLimits(
        maximumOutputBytes: 1_000, maximumValueBytes: 1_000, maximumStatusPayloadBytes: 100_000,
        maximumRunContextBytes: 3_000)

    /// 798 characters: 800 bytes of JSON text.
    static let medium = JSONValue.string(String(repeating: "y", count: 798))

    /// 2 000 characters: 2 002 bytes of JSON text.
    static let large = JSONValue.string(String(repeating: "x", count: 2_000))

    package static var oversizedOutputFailsRun: WorkflowScenario {
        var scenario = WorkflowScenario(
            "an output above maximumOutputBytes fails the run naming the node, its size and the limit; no retry, no fallback",
            blueprints: [B.blueprint(
                "large-output",
                nodes: [
                    B.node("first", "const", params: ["value": "small"]),
                    B.node("big", "big", config: NodeConfig(maxRetries: 3, fallback: "backup")),
                    B.node("after"), B.node("backup"),
                ],
                edges: [B.edge("first", "big"), B.edge("big", "after")])],
            registry: { probe in
                B.registry(probe, ["big": { _ in
                    probe.increment("big")
                    return NodeResult(output: large)
                }])
            },
            expect: ScenarioExpectation(
                status: .failed, context: ["_outputs.first": "small"],
                absentKeys: ["_outputs.big", "_outputs.after", "_outputs.backup"], failedNode: "big",
                errorContains: "output of 2002 bytes exceeds the limit of 1000 bytes (maximumOutputBytes)"
            ) { outcome in
                outcome.probe.count("big") == 1 ? [] : ["the oversized node ran \(outcome.probe.count("big")) times"]
            })
        scenario.sizeLimits = limits
        return scenario
    }

    /// A batch worker's output past the limit fails the run as any node's does (a worker runs with
    /// its scatter's settings: no retry of a limit, no fallback), naming the worker; nothing is gathered.
    package static var oversizedBatchWorkerOutputFailsRun: WorkflowScenario {
        var scenario = WorkflowScenario(
            "a batch worker's output above maximumOutputBytes fails the run naming the worker; nothing is gathered",
            blueprints: [B.blueprint(
                "large-worker",
                nodes: [B.node("items", "const", params: ["value": [1, 2]]),
                        // One worker at a time: the first finishes before the second fails (one history).
                        B.node("scatter", "batch-scatter", params: ["workerUsesKey": "grow", "gatherNodeId": "gather", "chunkSize": 1]),
                        B.node("gather", "batch-gather", params: ["gatherNodeId": "gather", "outputKey": "grown"]),
                        B.node("after")],
                edges: [B.edge("items", "scatter"), B.edge("scatter", "gather"), B.edge("gather", "after")])],
            registry: { probe in
                B.registry(probe, ["grow": { ctx in
                    probe.increment("grow")
                    return NodeResult(output: ctx.input.intValue == 2 ? large : .int(1))
                }])
            },
            expect: ScenarioExpectation(
                status: .failed, absentKeys: ["grown", "_outputs.gather", "_outputs.after"], failedNode: "grow_scatter_1",
                errorContains: "output of 2002 bytes exceeds the limit of 1000 bytes (maximumOutputBytes)",
                eventCounts: [(EventMatcher(.nodeError), 1), (EventMatcher(.nodeStart, "gather"), 0)]))
        scenario.sizeLimits = limits
        return scenario
    }

    /// A dynamic node's output past the limit fails the run as any node's does, naming it.
    package static var oversizedDynamicNodeOutputFailsRun: WorkflowScenario {
        var scenario = WorkflowScenario(
            "a dynamic node's output above maximumOutputBytes fails the run naming it; the spawner's successors do not run",
            blueprints: [B.blueprint(
                "large-dynamic", nodes: [B.node("spawn", "spawner"), B.node("after")], edges: [B.edge("spawn", "after")])],
            registry: { probe in
                B.registry(probe, [
                    "spawner": { _ in
                        NodeResult(output: "spawned", dynamicNodes: [NodeDefinition(id: "dyn-big", uses: "big")])
                    },
                    "big": { _ in NodeResult(output: large) },
                ])
            },
            expect: ScenarioExpectation(
                status: .failed, absentKeys: ["_outputs.dyn-big", "_outputs.after"], failedNode: "dyn-big",
                errorContains: "output of 2002 bytes exceeds the limit of 1000 bytes (maximumOutputBytes)",
                eventCounts: [(EventMatcher(.nodeError, "dyn-big"), 1), (EventMatcher(.nodeStart, "after"), 0)]))
        scenario.sizeLimits = limits
        return scenario
    }

    /// An output nested past ``SizeLimits/maximumNestingDepth`` fails its run in both engines, with
    /// no size limit set (found by review: the distributed engine stored it as `null`).
    package static var deeplyNestedOutputFailsRun: WorkflowScenario {
        var deep: JSONValue = 1
        for _ in 0..<300 { deep = .array([deep]) }
        let output = deep
        return WorkflowScenario(
            "an output nesting arrays and objects past 256 levels fails the run naming the node, without retry",
            blueprints: [B.blueprint(
                "deep-output",
                nodes: [B.node("first", "const", params: ["value": "small"]), B.node("deep", "deep", config: NodeConfig(maxRetries: 3)), B.node("after")],
                edges: [B.edge("first", "deep"), B.edge("deep", "after")])],
            registry: { probe in
                B.registry(probe, ["deep": { _ in
                    probe.increment("deep")
                    return NodeResult(output: output)
                }])
            },
            expect: ScenarioExpectation(
                status: .failed, context: ["_outputs.first": "small"], absentKeys: ["_outputs.deep", "_outputs.after"],
                failedNode: "deep", errorContains: "output nests arrays and objects more than 256 levels deep"
            ) { outcome in
                outcome.probe.count("deep") == 1 ? [] : ["the deep node ran \(outcome.probe.count("deep")) times"]
            })
    }

    package static var oversizedValueFailsRun: WorkflowScenario {
        var scenario = WorkflowScenario(
            "a context value above maximumValueBytes written by a node fails the run naming the node, the key, its size and the limit",
            blueprints: [B.blueprint(
                "large-value",
                nodes: [B.node("first", "const", params: ["value": "small"]), B.node("writer", "writer"), B.node("after")],
                edges: [B.edge("first", "writer"), B.edge("writer", "after")])],
            registry: { probe in
                B.registry(probe, ["writer": { ctx in
                    try await ctx.state.set("note", "fits")
                    try await ctx.state.set("blob", large)
                    return NodeResult(output: "done")
                }])
            },
            expect: ScenarioExpectation(
                status: .failed, context: ["_outputs.first": "small"],
                absentKeys: ["blob", "_outputs.writer", "_outputs.after"], failedNode: "writer",
                errorContains: "context value 'blob' of 2002 bytes exceeds the limit of 1000 bytes (maximumValueBytes)"))
        scenario.sizeLimits = limits
        return scenario
    }

    /// A node writing `count` values of 800 bytes (each within maximumValueBytes), between two nodes.
    static func runContextScenario(_ title: String, count: Int, expect: ScenarioExpectation) -> WorkflowScenario {
        var scenario = WorkflowScenario(
            title,
            blueprints: [B.blueprint(
                "run-context-\(count)",
                nodes: [B.node("first", "const", params: ["value": "small"]), B.node("writer", "writer"), B.node("after")],
                edges: [B.edge("first", "writer"), B.edge("writer", "after")])],
            registry: { probe in
                B.registry(probe, ["writer": { ctx in
                    for index in 0..<count { try await ctx.state.set("part\(index)", medium) }
                    return NodeResult(output: "done")
                }])
            },
            expect: expect)
        scenario.sizeLimits = runLimits
        return scenario
    }

    package static var runContextOverLimitFailsRun: WorkflowScenario {
        runContextScenario(
            "values that together take the run's context above maximumRunContextBytes fail the run naming the node and the limit",
            count: 4,
            expect: ScenarioExpectation(
                status: .failed, context: ["_outputs.first": "small"], absentKeys: ["_outputs.writer", "_outputs.after"],
                failedNode: "writer", errorContains: "over the limit of 3000 bytes (maximumRunContextBytes)",
                // The node's failure is reported in both engines (the distributed one missed it: the
                // commit script fails the run over the limit), and it did not finish (the distributed
                // engine emitted node:finish before the script decided).
                eventSequence: [EventMatcher(.nodeError, "writer", ["attempt": 1, "willRetry": false]),
                                EventMatcher(.workflowFinish, nil, ["status": "failed"])],
                eventCounts: [(EventMatcher(.nodeError, "writer"), 1), (EventMatcher(.nodeFinish, "writer"), 0)]) { outcome in
                    let error = outcome.events.first { $0.type == .nodeError && $0.nodeID == "writer" }?.payload["error"]?.stringValue
                    return error?.contains("maximumRunContextBytes") == true ? [] : ["node:error of 'writer' says \(error ?? "nothing")"]
                })
    }

    /// Batch workers whose outputs together pass ``SizeLimits/maximumRunContextBytes`` fail the run at
    /// the worker that passes it, which has `node:error` and no `node:finish` (the engines' byte
    /// counts of the batch's bookkeeping may make a different worker the one).
    package static var batchWorkersOverRunContextLimitFailRun: WorkflowScenario {
        var scenario = WorkflowScenario(
            "batch workers whose outputs together pass maximumRunContextBytes fail the run at the worker that passes it, with no node:finish for it",
            blueprints: [B.blueprint(
                "run-context-batch",
                nodes: [B.node("items", "const", params: ["value": [1, 2, 3, 4, 5]]),
                        B.node("scatter", "batch-scatter", params: ["workerUsesKey": "pad", "gatherNodeId": "gather", "chunkSize": 1]),
                        B.node("gather", "batch-gather", params: ["gatherNodeId": "gather", "outputKey": "padded"])],
                edges: [B.edge("items", "scatter"), B.edge("scatter", "gather")])],
            registry: { probe in B.registry(probe, ["pad": { _ in NodeResult(output: medium) }]) },
            expect: ScenarioExpectation(
                status: .failed, absentKeys: ["padded"], errorContains: "over the limit of 3000 bytes (maximumRunContextBytes)",
                eventCounts: [(EventMatcher(.nodeStart, "gather"), 0), (EventMatcher(.nodeError), 1)]
            ) { outcome in
                guard let failed = outcome.events.first(where: { $0.type == .nodeError })?.nodeID else { return ["no node:error"] }
                let finished = outcome.events.contains { $0.type == .nodeFinish && $0.nodeID == failed }
                return finished ? ["'\(failed)' failed over the limit and has a node:finish"] : []
            })
        scenario.sizeLimits = runLimits
        return scenario
    }

    /// Two parallel nodes, each within ``SizeLimits/maximumRunContextBytes`` alone, both running
    /// when either completes (they wait for each other): the one whose completion passes the limit
    /// fails the run, with `node:error` and no `node:finish`; the other finished. Each node's own
    /// writes fit the limit, so only the context the other node added meanwhile decides (the
    /// distributed engine once emitted the failing node's `node:finish` before its commit found that).
    package static var parallelNodesOverRunContextLimitFailRun: WorkflowScenario {
        var scenario = WorkflowScenario(
            "two parallel nodes that pass maximumRunContextBytes together fail the run at the one completing second, with no node:finish for it",
            blueprints: [B.blueprint(
                "run-context-parallel",
                nodes: [B.node("first", "const", params: ["value": "small"]), B.node("a", "half"), B.node("b", "half")],
                edges: [B.edge("first", "a"), B.edge("first", "b")])],
            registry: { probe in
                B.registry(probe, ["half": { ctx in
                    // Both nodes are running before either writes or completes.
                    probe.increment("running")
                    let deadline = ContinuousClock.now + .seconds(20)
                    while probe.count("running") < 2, ContinuousClock.now < deadline { try await Task.sleep(for: .milliseconds(5)) }
                    try await ctx.state.set("\(ctx.nodeID).part", medium)
                    return NodeResult(output: medium)
                }])
            },
            expect: ScenarioExpectation(
                status: .failed, errorContains: "over the limit of 3000 bytes (maximumRunContextBytes)",
                eventCounts: [(EventMatcher(.nodeError), 1), (EventMatcher(.nodeStart, "a"), 1), (EventMatcher(.nodeStart, "b"), 1)]
            ) { outcome in
                if outcome.probe.count("running") != 2 { return ["\(outcome.probe.count("running")) nodes ran, expected 2"] }
                guard let failed = outcome.events.first(where: { $0.type == .nodeError })?.nodeID else { return ["no node:error"] }
                let other = failed == "a" ? "b" : "a"
                var problems: [String] = []
                if outcome.events.contains(where: { $0.type == .nodeFinish && $0.nodeID == failed }) {
                    problems.append("'\(failed)' failed over the limit and has a node:finish")
                }
                if !outcome.events.contains(where: { $0.type == .nodeFinish && $0.nodeID == other }) {
                    problems.append("'\(other)' completed first and has no node:finish")
                }
                return problems
            })
        scenario.sizeLimits = runLimits
        return scenario
    }

    package static var runContextUnderLimitCompletes: WorkflowScenario {
        runContextScenario(
            "values that together stay within maximumRunContextBytes complete the run",
            count: 2,
            expect: ScenarioExpectation(
                status: .completed,
                context: ["_outputs.first": "small", "part0": medium, "part1": medium, "_outputs.writer": "done"]))
    }
}

import Flowcraft

/// ``SizeLimits``: an oversized output or context value fails its run at once, naming the node, the
/// size and the limit; nothing of that completion is stored.
public enum SizeLimitScenarios {
    typealias B = ScenarioBuilding

    public static var all: [WorkflowScenario] { [oversizedOutputFailsRun, oversizedValueFailsRun] }

    static let limits = SizeLimits(maximumOutputBytes: 1_000, maximumValueBytes: 1_000, maximumStatusPayloadBytes: 100_000)

    /// 2 000 characters: 2 002 bytes of JSON text.
    static let large = JSONValue.string(String(repeating: "x", count: 2_000))

    public static var oversizedOutputFailsRun: WorkflowScenario {
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

    public static var oversizedValueFailsRun: WorkflowScenario {
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
}

import Flowcraft

/// Every failed node execution is reported as one `node:error` — not only an implementation's
/// failed attempts (the attempt loop's), but failures no attempt made: a built-in's (a loop past
/// its cap, a subflow whose child failed), a node without an implementation, an output past a
/// limit. Before, those failed the run with no `node:error` in either engine: a listener saw the
/// run fail without the node's error.
package enum FailureEventScenarios {
    typealias B = ScenarioBuilding

    package static var all: [WorkflowScenario] {
        [loopCapIsANodeError, subflowFailureIsANodeError, missingImplementationIsANodeError, oversizedOutputIsANodeError,
         oversizedOutputAfterRetryNamesItsAttempt]
    }

    /// The checks every scenario here makes: one `node:error` for `node`, attempt 1, no retry, its
    /// error containing `text`, before the run's `workflow:finish`.
    static func expectation(failedNode node: String, errorContains text: String) -> ScenarioExpectation {
        ScenarioExpectation(
            status: .failed, failedNode: node,
            eventSequence: [EventMatcher(.nodeError, node, ["attempt": 1, "willRetry": false]),
                            EventMatcher(.workflowFinish, nil, ["status": "failed"])],
            eventCounts: [(EventMatcher(.nodeError, node), 1)]
        ) { outcome in
            let errors = outcome.events.filter { $0.type == .nodeError && $0.nodeID == node }
            guard let error = errors.first?.payload["error"]?.stringValue else { return ["no node:error for '\(node)'"] }
            return error.contains(text) ? [] : ["node:error of '\(node)' says '\(error)', expected it to contain '\(text)'"]
        }
    }

    package static let loopCapIsANodeError = WorkflowScenario(
        "a loop past its iteration cap reports node:error on the loop controller",
        blueprints: [BuiltinScenarios.loopBlueprint("runaway-events", condition: "true", maxIterations: 2)],
        registry: { B.registry($0, ["increment": BuiltinScenarios.increment]) },
        expect: expectation(failedNode: "loop", errorContains: "iteration cap of 2"))

    package static let subflowFailureIsANodeError = WorkflowScenario(
        "a subflow whose child run failed reports node:error on the subflow node (and the child's node its own)",
        blueprints: [
            B.blueprint(
                "calls-broken", nodes: [B.node("call", "subflow", params: ["blueprintId": "broken-child"]), B.node("after")],
                edges: [B.edge("call", "after")]),
            B.blueprint("broken-child", nodes: [B.node("boom", "boom")], edges: []),
        ],
        registry: { probe in
            B.registry(probe, ["boom": { _ in throw FatalNodeError("the child broke") }])
        },
        expect: {
            var expect = expectation(failedNode: "call", errorContains: "broken-child")
            expect.eventCounts.append((EventMatcher(.nodeError, "boom", ["error": "the child broke"]), 1))
            expect.eventCounts.append((EventMatcher(.nodeStart, "after"), 0))
            return expect
        }())

    package static let missingImplementationIsANodeError = WorkflowScenario(
        "a node whose implementation is not registered reports node:error",
        blueprints: [B.blueprint("unregistered", nodes: [B.node("first"), B.node("ghost", "not-registered")], edges: [B.edge("first", "ghost")])],
        registry: { B.registry($0) },
        expect: expectation(failedNode: "ghost", errorContains: "not-registered"))

    package static var oversizedOutputIsANodeError: WorkflowScenario {
        var scenario = WorkflowScenario(
            "an output past the size limit reports node:error on its node",
            blueprints: [B.blueprint("oversized-events", nodes: [B.node("first"), B.node("big", "big")], edges: [B.edge("first", "big")])],
            registry: { probe in
                B.registry(probe, ["big": { _ in NodeResult(output: .string(String(repeating: "x", count: 2_000))) }])
            },
            expect: expectation(failedNode: "big", errorContains: "exceeds the limit of 1000 bytes"))
        scenario.sizeLimits = SizeLimitScenarios.limits
        return scenario
    }

    /// An output past the limit from a retried attempt is that attempt's failure: its `node:error`
    /// and the run's error say attempt 2 (both engines said 1: the attempt that succeeded was not
    /// carried to the size check).
    package static var oversizedOutputAfterRetryNamesItsAttempt: WorkflowScenario {
        var scenario = WorkflowScenario(
            "an output past the size limit from a retried attempt reports that attempt in node:error and in the run's error",
            blueprints: [B.blueprint(
                "oversized-retry", nodes: [B.node("first"), B.node("big", "flaky-big", config: NodeConfig(maxRetries: 3))],
                edges: [B.edge("first", "big")])],
            registry: { probe in
                B.registry(probe, ["flaky-big": { _ in
                    guard probe.increment("big") >= 2 else { throw ScenarioFailure("attempt 1 failed") }
                    return NodeResult(output: .string(String(repeating: "x", count: 2_000)))
                }])
            },
            expect: ScenarioExpectation(
                status: .failed, failedNode: "big", errorContains: "exceeds the limit of 1000 bytes",
                eventSequence: [
                    EventMatcher(.nodeError, "big", ["attempt": 1, "willRetry": true]), EventMatcher(.nodeRetry, "big", ["attempt": 2]),
                    EventMatcher(.nodeError, "big", ["attempt": 2, "willRetry": false]), EventMatcher(.workflowFinish, nil, ["status": "failed"]),
                ],
                eventCounts: [(EventMatcher(.nodeError, "big"), 2), (EventMatcher(.nodeRetry, "big"), 1)]
            ) { outcome in
                var problems: [String] = []
                if outcome.probe.count("big") != 2 { problems.append("the node ran \(outcome.probe.count("big")) times, expected 2") }
                if let error = outcome.result.errors.first, error.attempts != 2 { problems.append("run error says attempts \(error.attempts), expected 2") }
                return problems
            })
        scenario.sizeLimits = SizeLimitScenarios.limits
        return scenario
    }
}

import Flowcraft

/// Retries, backoff, timeouts, fallbacks and fatal errors.
package enum ResilienceScenarios {
    typealias B = ScenarioBuilding

    package static var all: [WorkflowScenario] {
        [retriesThenSucceeds, retriesExhausted, timeoutCancelsAndRetries, fallbackTakesOver, fatalSkipsRetriesAndFallback]
    }

    /// Fails until attempt `succeedOn`, counting attempts in the probe.
    static func flaky(_ probe: ScenarioProbe, succeedOn: Int) -> @Sendable (NodeContext) async throws -> NodeResult {
        { ctx in
            let attempt = probe.increment("attempts:" + ctx.nodeID)
            guard attempt >= succeedOn else { throw ScenarioFailure("attempt \(attempt) failed") }
            return NodeResult(output: .int(attempt))
        }
    }

    package static let retriesThenSucceeds = WorkflowScenario(
        "maxRetries is total attempts; backoff grows exponentially with jitter",
        blueprints: [B.blueprint(
            "retry",
            nodes: [B.node("flaky", "flaky", config: NodeConfig(maxRetries: 3, retryDelay: 100)), B.node("next")],
            edges: [B.edge("flaky", "next")])],
        registry: { probe in B.registry(probe, ["flaky": flaky(probe, succeedOn: 3)]) },
        expect: ScenarioExpectation(
            status: .completed, context: ["_outputs.next": 3],
            eventSequence: [EventMatcher(.nodeError, "flaky", ["attempt": 1, "willRetry": true]),
                            EventMatcher(.nodeRetry, "flaky", ["attempt": 2]),
                            EventMatcher(.nodeError, "flaky", ["attempt": 2, "willRetry": true]),
                            EventMatcher(.nodeRetry, "flaky", ["attempt": 3]),
                            EventMatcher(.nodeFinish, "flaky", ["output": 3])],
            eventCounts: [(EventMatcher(.nodeRetry, "flaky"), 2)]
        ) { outcome in
            // Base 100 ms doubled per attempt, stretched by at most the default 20 % jitter.
            let delays = outcome.events.filter { $0.type == .nodeRetry }.compactMap { $0.payload["delayMs"]?.intValue }
            var problems: [String] = []
            if delays.count != 2 { return ["expected 2 retry delays, got \(delays)"] }
            if !(100...120).contains(delays[0]) { problems.append("first delay \(delays[0]) not in 100...120") }
            if !(200...240).contains(delays[1]) { problems.append("second delay \(delays[1]) not in 200...240") }
            if outcome.clockSleeps.map(Int.init) != delays {
                problems.append("clock sleeps \(outcome.clockSleeps) differ from retry delays \(delays)")
            }
            return problems
        })

    package static let retriesExhausted = WorkflowScenario(
        "exhausted retries fail the run naming the node and its YAML line",
        blueprints: [B.blueprint(
            "exhausted", nodes: [B.node("start", "const"), B.node("broken", "flaky", config: NodeConfig(maxRetries: 2))],
            edges: [B.edge("start", "broken")])],
        registry: { probe in B.registry(probe, ["flaky": flaky(probe, succeedOn: 99)]) },
        expect: ScenarioExpectation(
            status: .failed, failedNode: "broken", errorContains: "attempt 2 failed",
            eventCounts: [(EventMatcher(.nodeError, "broken"), 2)]
        ) { outcome in
            guard let error = outcome.result.errors.first else { return ["no error"] }
            var problems: [String] = []
            if error.location != SourceLocation(file: "scenarios/exhausted.yaml", line: 14, column: 5) {
                problems.append("error location \(String(describing: error.location))")
            }
            if error.attempts != 2 { problems.append("attempts \(error.attempts), expected 2") }
            if !error.description.hasPrefix("scenarios/exhausted.yaml:14:5: error: node 'broken'") {
                problems.append("description '\(error.description)'")
            }
            return problems
        })

    package static let timeoutCancelsAndRetries = WorkflowScenario(
        "a node sleeping past its timeout is cancelled and retried",
        blueprints: [B.blueprint(
            "timeout", nodes: [B.node("slow", "slow", config: NodeConfig(maxRetries: 2, timeout: 50))], edges: [])],
        registry: { probe in
            B.registry(probe, ["slow": { ctx in
                if ctx.attempt == 1 {
                    do {
                        try await Task.sleep(for: .seconds(60))
                    } catch {
                        probe.increment("cancelled")
                        throw error
                    }
                }
                return NodeResult(output: .int(ctx.attempt))
            }])
        },
        expect: ScenarioExpectation(
            status: .completed, context: ["_outputs.slow": 2],
            eventSequence: [EventMatcher(.nodeError, "slow", ["attempt": 1, "error": "timed out after 50 ms"]),
                            EventMatcher(.nodeRetry, "slow", ["attempt": 2]), EventMatcher(.nodeFinish, "slow")]
        ) { outcome in
            outcome.probe.count("cancelled") == 1 ? [] : ["first attempt was not cancelled"]
        })

    package static let fallbackTakesOver = WorkflowScenario(
        "fallback runs with the failed node's input and inherits its edges",
        blueprints: [B.blueprint(
            "fallback",
            nodes: [B.node("start", "const", params: ["value": "in"]),
                    B.node("primary", "flaky", config: NodeConfig(maxRetries: 2, fallback: "backup")),
                    B.node("backup", "backup"), B.node("next")],
            edges: [B.edge("start", "primary"), B.edge("primary", "next")])],
        registry: { probe in
            B.registry(probe, [
                "flaky": flaky(probe, succeedOn: 99),
                "backup": { ctx in NodeResult(output: .string("backup:" + (ctx.input.stringValue ?? "?"))) },
            ])
        },
        expect: ScenarioExpectation(
            status: .completed,
            context: ["_outputs.backup": "backup:in", "_outputs.primary": "backup:in", "_outputs.next": "backup:in"],
            eventSequence: [EventMatcher(.nodeError, "primary", ["attempt": 2, "willRetry": false]),
                            EventMatcher(.nodeFallback, "primary", ["fallback": "backup"]),
                            EventMatcher(.nodeStart, "backup"), EventMatcher(.nodeFinish, "next")]))

    package static let fatalSkipsRetriesAndFallback = WorkflowScenario(
        "FatalNodeError skips retries and the fallback",
        blueprints: [B.blueprint(
            "fatal",
            nodes: [B.node("doomed", "fatal", config: NodeConfig(maxRetries: 5, fallback: "backup")), B.node("backup")],
            edges: [])],
        registry: { probe in
            B.registry(probe, ["fatal": { _ in
                probe.increment("fatal")
                throw FatalNodeError("no way")
            }])
        },
        expect: ScenarioExpectation(
            status: .failed, absentKeys: ["_outputs.backup"], failedNode: "doomed", errorContains: "no way",
            eventCounts: [(EventMatcher(.nodeRetry), 0), (EventMatcher(.nodeFallback), 0)]
        ) { outcome in
            outcome.probe.count("fatal") == 1 ? [] : ["fatal node ran \(outcome.probe.count("fatal")) times"]
        })
}

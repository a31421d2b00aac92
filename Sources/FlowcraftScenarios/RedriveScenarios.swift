import Dispatch
import Flowcraft

/// Redrive of a failed run (`RedriveRules`): the failed nodes run again, succeeded nodes keep their
/// outputs and do not run again, and runs that are not failed are refused.
package enum RedriveScenarios {
    typealias B = ScenarioBuilding

    package static var all: [WorkflowScenario] {
        [
            diamondContinuesFromFailedNode, interruptedBranchIsNotLost, stubbornBranchIsNotStranded, failsThenSucceedsOnRedrive, failedFallbackRunsAgain, failedSubflowStartsNewChild,
            completedRunIsRefused,
        ]
    }

    /// Counts each execution of a node (`runs:<node>`) and passes `params.value` (else its input) on.
    static func counted(_ probe: ScenarioProbe) -> @Sendable (NodeContext) async throws -> NodeResult {
        { ctx in
            probe.increment("runs:" + ctx.nodeID)
            return NodeResult(output: ctx.params["value"] ?? ctx.input)
        }
    }

    /// Fails its first execution (after `delayMs`, so the other branches commit first) and returns
    /// `params.value` from the second on.
    static func failsOnce(_ probe: ScenarioProbe, delayMs: Int = 0) -> @Sendable (NodeContext) async throws -> NodeResult {
        { ctx in
            let run = probe.increment("runs:" + ctx.nodeID)
            if run == 1 {
                if delayMs > 0 { try await Task.sleep(for: .milliseconds(delayMs)) }
                throw ScenarioFailure("first execution of '\(ctx.nodeID)' fails")
            }
            return NodeResult(output: ctx.params["value"] ?? ctx.input)
        }
    }

    /// Problems with the per-node execution counts.
    static func runs(_ outcome: ScenarioOutcome, _ expected: [String: Int]) -> [String] {
        expected.sorted { $0.key < $1.key }.compactMap { node, count in
            let actual = outcome.probe.count("runs:" + node)
            return actual == count ? nil : "'\(node)' ran \(actual) times, expected \(count)"
        }
    }

    /// Problems unless the redrive's `workflowResume` event names exactly `nodes` (failed first).
    static func redrivenNodes(_ outcome: ScenarioOutcome, _ nodes: [String]) -> [String] {
        let named = outcome.events.filter { $0.type == .workflowResume && $0.payload["redrive"] != nil }
            .map { $0.payload["nodes"] ?? .null }
        let expected = JSONValue.array(nodes.map { .string($0) })
        return named == [expected] ? [] : ["the redrive named \(named), expected \(expected)"]
    }

    /// Problems unless the first result failed at `node` and a redrive was not refused.
    static func failedFirst(_ outcome: ScenarioOutcome, at node: String) -> [String] {
        var problems: [String] = []
        if let first = outcome.intermediate.first {
            if first.status != .failed { problems.append("first run \(first.status.rawValue), expected failed") }
            if first.errors.first?.nodeID != node {
                problems.append("first run failed at \(first.errors.first?.nodeID ?? "none"), expected \(node)")
            }
        }
        problems += outcome.probe.log.filter { $0.hasPrefix("redrive refused") }
        return problems
    }

    package static let diamondContinuesFromFailedNode = WorkflowScenario(
        "redrive of a failed diamond runs the failed branch and the join, not the succeeded nodes",
        blueprints: [B.blueprint(
            "redrive-diamond",
            nodes: [
                B.node("start", "count", params: ["value": 1]), B.node("left", "count", params: ["value": "L"]),
                B.node("right", "fails-once", params: ["value": "R"]),
                B.node("join", "count", params: ["value": "joined"]),
            ],
            edges: [B.edge("start", "left"), B.edge("start", "right"), B.edge("left", "join"), B.edge("right", "join")])],
        registry: { probe in
            B.registry(probe, ["count": counted(probe), "fails-once": failsOnce(probe, delayMs: 300)])
        },
        steps: [.redrive],
        expect: ScenarioExpectation(
            status: .completed,
            context: ["_outputs.start": 1, "_outputs.left": "L", "_outputs.right": "R", "_outputs.join": "joined"]
        ) { outcome in
            failedFirst(outcome, at: "right") + runs(outcome, ["start": 1, "left": 1, "right": 2, "join": 1])
                + redrivenNodes(outcome, ["right"])
        })

    package static let interruptedBranchIsNotLost = interruptedBranch(
        "a branch still running when the run failed is not lost: the redrive completes it and the join fires",
        // Still running when `broken` fails the run (the engine stops it, or its result is not
        // committed): it runs again on the redrive, unless its first execution was still running then
        // (the distributed engine commits it once the run runs again).
        slow: { probe in
            { ctx in
                probe.increment("runs:" + ctx.nodeID)
                try await Task.sleep(for: .milliseconds(1500))
                return NodeResult(output: ctx.params["value"] ?? .null)
            }
        },
        steps: [.redrive])

    package static let stubbornBranchIsNotStranded = interruptedBranch(
        "a branch that ignores being stopped and ends after the redrive does not strand the run: it runs again",
        // Ignores cancellation: the distributed worker has stopped it (its run failed) by the time the
        // redrive looks at its job, which is still active then and ends later without committing.
        slow: { probe in
            { ctx in
                probe.increment("runs:" + ctx.nodeID)
                if probe.count("runs:" + ctx.nodeID) == 1 {
                    await withCheckedContinuation { (done: CheckedContinuation<Void, Never>) in
                        DispatchQueue.global().asyncAfter(deadline: .now() + 1.5) { done.resume() }
                    }
                }
                return NodeResult(output: ctx.params["value"] ?? .null)
            }
        },
        steps: [.pause(milliseconds: 700), .redrive])

    /// `start` → `slow` and `broken` → `join`: `broken` fails its first execution after 50 ms while
    /// `slow` (counting its executions) still runs; after `steps` the run completes with every output,
    /// `slow` having run once (it finished before the failure was handled) or twice.
    static func interruptedBranch(
        _ name: String, slow: @escaping @Sendable (ScenarioProbe) -> @Sendable (NodeContext) async throws -> NodeResult,
        steps: [ScenarioStep]
    ) -> WorkflowScenario {
        WorkflowScenario(
            name,
            blueprints: [B.blueprint(
                "redrive-interrupted",
                nodes: [
                    B.node("start", "count", params: ["value": 1]), B.node("slow", "slow", params: ["value": "S"]),
                    B.node("broken", "fails-once", params: ["value": "B"]),
                    B.node("join", "count", params: ["value": "joined"]),
                ],
                edges: [B.edge("start", "slow"), B.edge("start", "broken"), B.edge("slow", "join"), B.edge("broken", "join")])],
            registry: { probe in
                B.registry(probe, ["count": counted(probe), "fails-once": failsOnce(probe, delayMs: 50), "slow": slow(probe)])
            },
            steps: steps,
            expect: ScenarioExpectation(
                status: .completed, context: ["_outputs.slow": "S", "_outputs.broken": "B", "_outputs.join": "joined"]
            ) { outcome in
                // On a starved machine `slow` can finish before `broken`'s failure is handled: then the
                // failed run kept its output and the redrive names only `broken`.
                let finishedFirst = outcome.intermediate.first?.context["_outputs.slow"] != nil
                var problems = failedFirst(outcome, at: "broken") + runs(outcome, ["start": 1, "broken": 2, "join": 1])
                    + redrivenNodes(outcome, finishedFirst ? ["broken"] : ["broken", "slow"])
                if finishedFirst && outcome.probe.count("runs:slow") != 1 {
                    problems.append("'slow' finished in the failed run yet ran again on the redrive")
                }
                if !(1...2).contains(outcome.probe.count("runs:slow")) {
                    problems.append("'slow' ran \(outcome.probe.count("runs:slow")) times, expected once or twice")
                }
                return problems
            })
    }

    package static let failsThenSucceedsOnRedrive = WorkflowScenario(
        "a node that fails on the first run succeeds on the redrive and the run completes",
        blueprints: [B.blueprint(
            "redrive-chain",
            nodes: [
                B.node("fetch", "count", params: ["value": 7]), B.node("charge", "fails-once", params: ["value": "paid"]),
                B.node("ship", "count"),
            ],
            edges: B.chain(["fetch", "charge", "ship"]))],
        registry: { probe in B.registry(probe, ["count": counted(probe), "fails-once": failsOnce(probe)]) },
        steps: [.redrive],
        expect: ScenarioExpectation(
            status: .completed, context: ["_outputs.fetch": 7, "_outputs.charge": "paid", "_outputs.ship": "paid"]
        ) { outcome in
            var problems = failedFirst(outcome, at: "charge") + runs(outcome, ["fetch": 1, "charge": 2, "ship": 1])
                + redrivenNodes(outcome, ["charge"])
            if let first = outcome.intermediate.first, first.context["_outputs.fetch"] != 7 {
                problems.append("the failed run's context lacks fetch's output")
            }
            if !outcome.result.errors.isEmpty { problems.append("errors after the redrive: \(outcome.result.errors)") }
            return problems
        })

    package static let failedFallbackRunsAgain = WorkflowScenario(
        "a fallback that failed runs again on the redrive (its node does not) with the failed node's input",
        blueprints: [B.blueprint(
            "redrive-fallback",
            nodes: [
                B.node("start", "count", params: ["value": "in"]),
                B.node("primary", "always-fails", config: NodeConfig(fallback: "backup")),
                B.node("backup", "fails-once"), B.node("after", "count"),
            ],
            edges: [B.edge("start", "primary"), B.edge("primary", "after")])],
        registry: { probe in
            B.registry(probe, [
                "count": counted(probe), "fails-once": failsOnce(probe),
                "always-fails": { ctx in
                    probe.increment("runs:" + ctx.nodeID)
                    throw ScenarioFailure("'\(ctx.nodeID)' always fails")
                },
            ])
        },
        steps: [.redrive],
        expect: ScenarioExpectation(status: .completed, context: ["_outputs.after": "in", "_outputs.backup": "in"]) { outcome in
            failedFirst(outcome, at: "backup") + runs(outcome, ["start": 1, "primary": 1, "backup": 2, "after": 1])
                + redrivenNodes(outcome, ["backup"])
        })

    package static let failedSubflowStartsNewChild = WorkflowScenario(
        "a subflow node whose child failed runs again on the redrive with a new child run",
        blueprints: [
            B.blueprint(
                "redrive-parent",
                nodes: [
                    B.node("before", "count", params: ["value": 5]),
                    B.node("call", "subflow", params: ["blueprintId": "redrive-child"]), B.node("after", "count"),
                ],
                edges: B.chain(["before", "call", "after"])),
            B.blueprint(
                "redrive-child", nodes: [B.node("prepare", "count", params: ["value": 1]), B.node("inner", "fails-once", params: ["value": "done"])],
                edges: B.chain(["prepare", "inner"])),
        ],
        blueprintID: "redrive-parent",
        registry: { probe in B.registry(probe, ["count": counted(probe), "fails-once": failsOnce(probe)]) },
        steps: [.redrive],
        expect: ScenarioExpectation(status: .completed, context: ["_outputs.before": 5]) { outcome in
            // The new child runs from its start: its nodes run again, the parent's do not.
            failedFirst(outcome, at: "call") + runs(outcome, ["before": 1, "prepare": 2, "inner": 2, "after": 1])
                + redrivenNodes(outcome, ["call"])
        })

    package static let completedRunIsRefused = WorkflowScenario(
        "redrive of a completed run is refused and changes nothing",
        blueprints: [B.blueprint(
            "redrive-completed", nodes: [B.node("only", "count", params: ["value": 1])], edges: [])],
        registry: { probe in B.registry(probe, ["count": counted(probe)]) },
        steps: [.redrive],
        expect: ScenarioExpectation(status: .completed, context: ["_outputs.only": 1]) { outcome in
            var problems = runs(outcome, ["only": 1])
            let refusals = outcome.probe.log.filter { $0.hasPrefix("redrive refused") }
            if refusals.count != 1 || !(refusals.first?.contains("it is completed") ?? false) {
                problems.append("expected one refusal naming the completed status, got \(refusals)")
            }
            return problems
        })
}

import Flowcraft

/// Events, middleware and cancellation.
package enum ObservabilityScenarios {
    typealias B = ScenarioBuilding

    package static var all: [WorkflowScenario] { [stateWritesAreEvents, middlewareOrder, cancellationKeepsContext, joinStartsAfterEveryFinish] }

    package static let stateWritesAreEvents = WorkflowScenario(
        "node state writes and engine writes are context:change events",
        blueprints: [B.blueprint("writes", nodes: [B.node("writer", "writer")], edges: [])],
        registry: { probe in
            B.registry(probe, ["writer": { ctx in
                try await ctx.state.set("greeting", "hi")
                try await ctx.state.delete("scratch")
                return NodeResult(output: "done")
            }])
        },
        expect: ScenarioExpectation(
            status: .completed, context: ["greeting": "hi"], absentKeys: ["scratch"],
            eventSequence: [EventMatcher(.workflowStart), EventMatcher(.nodeStart, "writer"),
                            EventMatcher(.contextChange, "writer", ["key": "greeting", "op": "set", "value": "hi"]),
                            EventMatcher(.contextChange, "writer", ["key": "scratch", "op": "delete"]),
                            EventMatcher(.contextChange, "writer", ["key": "_outputs.writer", "value": "done"]),
                            EventMatcher(.nodeFinish, "writer", ["output": "done"]), EventMatcher(.workflowFinish)]))

    /// A node's `node:start` comes after the `node:finish` of every predecessor, a join's after both
    /// of its branches' (the distributed engine holds node events for the commit's outcome when a
    /// run-context limit is set, as by default, and a join enqueued by the later branch could start
    /// before the earlier branch's held `node:finish` went out).
    package static let joinStartsAfterEveryFinish = WorkflowScenario(
        "every node starts after its predecessors' node:finish, a join after both branches' (one of them slower)",
        blueprints: [B.blueprint(
            "diamond-events", nodes: [B.node("a", "step"), B.node("b", "step"), B.node("c", "step"), B.node("d", "step")],
            edges: [B.edge("a", "b"), B.edge("a", "c"), B.edge("b", "d"), B.edge("c", "d")])],
        registry: { probe in
            B.registry(probe, ["step": { ctx in
                if ctx.nodeID == "b" { try await Task.sleep(for: .milliseconds(50)) }
                return NodeResult(output: .string(ctx.nodeID))
            }])
        },
        expect: ScenarioExpectation(
            status: .completed, eventCounts: [(EventMatcher(.nodeStart, "d"), 1)]
        ) { outcome in
            var problems: [String] = []
            for (node, predecessors) in [("b", ["a"]), ("c", ["a"]), ("d", ["b", "c"])] {
                guard let start = outcome.events.firstIndex(where: { $0.type == .nodeStart && $0.nodeID == node }) else {
                    problems.append("no node:start for '\(node)'")
                    continue
                }
                for predecessor in predecessors
                where !outcome.events[..<start].contains(where: { $0.type == .nodeFinish && $0.nodeID == predecessor }) {
                    problems.append("'\(node)' started before the node:finish of '\(predecessor)'")
                }
            }
            return problems
        })

    struct Recorder: NodeMiddleware {
        let name: String
        let probe: ScenarioProbe

        func beforeNode(_ context: NodeContext) async throws { probe.record("before:\(name)") }
        func afterNode(_ context: NodeContext, result: NodeResult?, error: (any Error)?) async {
            probe.record("after:\(name):\(result?.output.stringValue ?? "error")")
        }
        func aroundNode(_ context: NodeContext, next: @Sendable () async throws -> NodeResult) async throws -> NodeResult {
            probe.record("around-in:\(name)")
            let result = try await next()
            probe.record("around-out:\(name)")
            return result
        }
    }

    package static let middlewareOrder = WorkflowScenario(
        "middleware: before in order, around nested, after in reverse",
        blueprints: [B.blueprint("mw", nodes: [B.node("only", "const", params: ["value": "v"])], edges: [])],
        registry: { B.registry($0) },
        middleware: { probe in [Recorder(name: "m1", probe: probe), Recorder(name: "m2", probe: probe)] },
        expect: ScenarioExpectation(status: .completed) { outcome in
            let expected = ["before:m1", "before:m2", "around-in:m1", "around-in:m2", "only", "around-out:m2",
                            "around-out:m1", "after:m2:v", "after:m1:v"]
            return outcome.probe.log == expected ? [] : ["middleware log \(outcome.probe.log)"]
        })

    package static let cancellationKeepsContext = WorkflowScenario(
        "cancelling a run stops it and keeps its context",
        blueprints: [B.blueprint(
            "cancel", nodes: [B.node("first", "const", params: ["value": "kept"]), B.node("block", "block"), B.node("never")],
            edges: B.chain(["first", "block", "never"]))],
        registry: { probe in
            B.registry(probe, ["block": { _ in
                try await Task.sleep(for: .seconds(60))
                return NodeResult(output: "late")
            }])
        },
        cancelWhenStarted: "block",
        expect: ScenarioExpectation(
            status: .cancelled, context: ["_outputs.first": "kept"], absentKeys: ["_outputs.block", "_outputs.never"],
            eventSequence: [EventMatcher(.nodeStart, "block"), EventMatcher(.workflowFinish, nil, ["status": "cancelled"])],
            eventCounts: [(EventMatcher(.nodeRetry), 0)]))
}

/// Every scenario, for engines to run.
package enum WorkflowScenarios {
    package static var all: [WorkflowScenario] {
        RoutingScenarios.all + SpawnerRoutingScenarios.all + ResilienceScenarios.all + BuiltinScenarios.all
            + ObservabilityScenarios.all + DataFlowScenarios.all + SizeLimitScenarios.all
            + FallbackJoinScenarios.all + IdentifierScenarios.all + RedriveScenarios.all + FailureEventScenarios.all
    }
}

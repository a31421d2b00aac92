import Flowcraft

/// Fallbacks with edges of their own, fallbacks shared by several nodes, joins that can never fire
/// and actions no edge routes: the "no silent endings" rules (see `RoutingRules`).
package enum FallbackJoinScenarios {
    typealias B = ScenarioBuilding

    package static var all: [WorkflowScenario] {
        [unusedFallbackIsDeadPredecessor, fallbackIntoAnyJoinFiresOnce, sharedFallbackRunsPerFailedNode,
         sharedFallbackOwnEdgesFirstOwnerDecidesDead, sharedFallbackOwnEdgesFirstOwnerDecidesLive,
         skippedOwnerKillsFallbackEdges, stuckJoinFailsTheRun, unroutedActionFails, missingActionFails,
         unroutedActionEndsWhenAllowed]
            + joinTable
    }

    /// `start` fans out to `charge` (fallback `manual`) and `reserve`; `charge`, `manual` and
    /// `reserve` all lead into `ship`, which leads to `done`.
    static func checkout(
        _ id: String, join: JoinStrategy, chargeFails: Bool, reserveCondition: String? = nil
    ) -> WorkflowBlueprint {
        B.blueprint(
            id,
            nodes: [B.node("start", "const", params: ["value": 1]),
                    B.node("charge", chargeFails ? "fail" : "echo", config: NodeConfig(fallback: "manual")),
                    B.node("reserve"), B.node("manual"),
                    B.node("ship", "count", inputs: .key("_outputs.start"), config: NodeConfig(joinStrategy: join)),
                    B.node("done", "count")],
            edges: [B.edge("start", "charge"), B.edge("start", "reserve", condition: reserveCondition),
                    B.edge("charge", "ship"), B.edge("manual", "ship"), B.edge("reserve", "ship"), B.edge("ship", "done")])
    }

    /// `echo`, `const`, `fail` (always throws) and `count` (counts its runs per node id).
    static func registry(_ probe: ScenarioProbe) -> NodeRegistry {
        B.registry(probe, [
            "fail": { ctx in throw ScenarioFailure("\(ctx.nodeID) is down") },
            "count": { ctx in
                NodeResult(output: .int(probe.increment("runs:" + ctx.nodeID)))
            },
        ])
    }

    static func runs(_ expected: [String: Int]) -> @Sendable (ScenarioOutcome) -> [String] {
        { outcome in
            expected.sorted { $0.key < $1.key }.compactMap { node, count in
                let actual = outcome.probe.count("runs:" + node)
                return actual == count ? nil : "\(node) ran \(actual) times, expected \(count)"
            }
        }
    }

    package static let unusedFallbackIsDeadPredecessor = WorkflowScenario(
        "an unused fallback counts as a dead predecessor of the all join it feeds",
        blueprints: [checkout("unused-fallback", join: .all, chargeFails: false)],
        registry: { registry($0) },
        expect: ScenarioExpectation(
            status: .completed, absentKeys: ["_outputs.manual"],
            eventCounts: [(EventMatcher(.nodeStart, "ship"), 1), (EventMatcher(.nodeStart, "done"), 1),
                          (EventMatcher(.nodeStart, "manual"), 0)],
            check: runs(["ship": 1, "done": 1])))

    package static let fallbackIntoAnyJoinFiresOnce = WorkflowScenario(
        "a fallback taking over into an any join fires it once",
        blueprints: [checkout("fallback-any", join: .any, chargeFails: true)],
        registry: { registry($0) },
        expect: ScenarioExpectation(
            status: .completed, context: ["_outputs.done": 1],
            eventCounts: [(EventMatcher(.nodeFallback, "charge"), 1), (EventMatcher(.nodeStart, "ship"), 1),
                          (EventMatcher(.nodeStart, "done"), 1)],
            check: runs(["ship": 1, "done": 1])))

    package static let sharedFallbackRunsPerFailedNode = WorkflowScenario(
        "a fallback shared by two failing nodes runs once per failed node and takes over each one's edges",
        blueprints: [B.blueprint(
            "shared-fallback",
            nodes: [B.node("start", "const", params: ["value": "in"]),
                    B.node("a", "fail", config: NodeConfig(fallback: "backup")),
                    B.node("b", "fail", config: NodeConfig(fallback: "backup")),
                    B.node("backup", "count"), B.node("afterA", "count"), B.node("afterB", "count")],
            edges: [B.edge("start", "a"), B.edge("start", "b"), B.edge("a", "afterA"), B.edge("b", "afterB")])],
        registry: { registry($0) },
        expect: ScenarioExpectation(
            status: .completed,
            eventCounts: [(EventMatcher(.nodeFallback, "a"), 1), (EventMatcher(.nodeFallback, "b"), 1)],
            check: runs(["backup": 2, "afterA": 1, "afterB": 1])))

    /// `b` (succeeds) and `a` (fails) share `backup`, whose own edge leads to `notify`. The first
    /// owner to resolve decides the fallback's own edges.
    static func sharedOwnEdges(_ id: String, failingFirst: Bool) -> WorkflowBlueprint {
        let first = failingFirst ? "a" : "b"
        let second = failingFirst ? "b" : "a"
        return B.blueprint(
            id,
            nodes: [B.node("start", "const", params: ["value": "in"]),
                    B.node("a", "fail", config: NodeConfig(fallback: "backup")),
                    B.node("b", "echo", config: NodeConfig(fallback: "backup")),
                    B.node("backup", "count"), B.node("notify", "count"), B.node("after", "count")],
            edges: [B.edge("start", first), B.edge(first, second), B.edge(second, "after"),
                    B.edge("backup", "notify")])
    }

    package static let sharedFallbackOwnEdgesFirstOwnerDecidesDead = WorkflowScenario(
        "a shared fallback's own edges resolve once: its first owner succeeded, so they are dead",
        blueprints: [sharedOwnEdges("shared-own-dead", failingFirst: false)],
        registry: { registry($0) },
        expect: ScenarioExpectation(
            status: .completed, absentKeys: ["_outputs.notify"],
            eventCounts: [(EventMatcher(.nodeSkipped, "notify"), 1), (EventMatcher(.nodeStart, "notify"), 0)],
            check: runs(["backup": 1, "after": 1, "notify": 0])))

    package static let sharedFallbackOwnEdgesFirstOwnerDecidesLive = WorkflowScenario(
        "a shared fallback's own edges resolve once: its first owner failed, so the fallback routes them",
        blueprints: [sharedOwnEdges("shared-own-live", failingFirst: true)],
        registry: { registry($0) },
        expect: ScenarioExpectation(
            status: .completed,
            eventCounts: [(EventMatcher(.nodeSkipped, "notify"), 0), (EventMatcher(.nodeStart, "notify"), 1)],
            check: runs(["backup": 1, "after": 1, "notify": 1])))

    package static let skippedOwnerKillsFallbackEdges = WorkflowScenario(
        "a node skipped by dead-path elimination leaves its fallback unused: the fallback's edges die too",
        blueprints: [checkout("skipped-owner", join: .all, chargeFails: false).withEdge(
            B.edge("start", "charge"), replacedBy: B.edge("start", "charge", condition: "result.output > 5"))],
        registry: { registry($0) },
        expect: ScenarioExpectation(
            status: .completed, absentKeys: ["_outputs.charge", "_outputs.manual"],
            eventCounts: [(EventMatcher(.nodeSkipped, "charge"), 1), (EventMatcher(.nodeStart, "ship"), 1)],
            check: runs(["ship": 1, "done": 1])))

    package static let stuckJoinFailsTheRun = WorkflowScenario(
        "a join that can never fire fails the run, naming the join, who arrived, who never will, and its line",
        blueprints: [B.blueprint(
            "stuck",
            nodes: [B.node("a", "const", params: ["value": 1]), B.node("x"), B.node("y"), B.node("join")],
            edges: [B.edge("x", "y"), B.edge("y", "x"), B.edge("y", "join"), B.edge("a", "join")])],
        registry: { B.registry($0) },
        expect: ScenarioExpectation(
            status: .failed, absentKeys: ["_outputs.join"], failedNode: "join",
            errorContains: "[STUCK_JOIN] join 'join' (scenarios/stuck.yaml:22:5) can never fire: arrived: a; never arriving: y",
            eventSequence: [EventMatcher(.workflowStall, nil, ["remainingNodes": ["join"]]),
                            EventMatcher(.workflowFinish, nil, ["status": "failed"])]))

    static func review(_ id: String, action: String?, unrouted: String? = nil) -> WorkflowBlueprint {
        var params: [String: JSONValue] = ["value": "ok"]
        if let action { params["action"] = .string(action) }
        var blueprint = B.blueprint(
            id,
            nodes: [B.node("review", "const", params: params), B.node("approved"), B.node("rejected")],
            edges: [B.edge("review", "approved", action: "approve"), B.edge("review", "rejected", action: "reject")])
        if let unrouted { blueprint.metadata = BlueprintMetadata(extra: ["unroutedActions": .string(unrouted)]) }
        return blueprint
    }

    package static let unroutedActionFails = WorkflowScenario(
        "an action no edge routes (no default edge) fails the run with NO_ROUTE",
        blueprints: [review("no-route", action: "aprove")],
        registry: { B.registry($0) },
        expect: ScenarioExpectation(
            status: .failed, absentKeys: ["_outputs.approved", "_outputs.rejected"], failedNode: "review",
            errorContains: "[NO_ROUTE] node 'review' (scenarios/no-route.yaml:10:5) returned action 'aprove', which no edge routes (its edges route: approve, reject)",
            eventCounts: [(EventMatcher(.workflowFinish, nil, ["status": "failed"]), 1)]))

    package static let missingActionFails = WorkflowScenario(
        "no action where every edge is labelled (no default edge) fails the run with NO_ROUTE",
        blueprints: [review("no-action", action: nil)],
        registry: { B.registry($0) },
        expect: ScenarioExpectation(
            status: .failed, failedNode: "review",
            errorContains: "[NO_ROUTE] node 'review' (scenarios/no-action.yaml:10:5) returned no action, which no edge routes (its edges route: approve, reject)"))

    package static let unroutedActionEndsWhenAllowed = WorkflowScenario(
        "metadata unroutedActions: end keeps Flowcraft's silent end of an unrouted branch",
        blueprints: [review("no-route-allowed", action: "aprove", unrouted: "end")],
        registry: { B.registry($0) },
        expect: ScenarioExpectation(
            status: .completed, context: ["_outputs.review": "ok"], absentKeys: ["_outputs.approved", "_outputs.rejected"]))

    // MARK: - Join/fallback table

    /// One row of the join/fallback table: the join's strategy, whether `charge` fails (its fallback
    /// `manual` takes over), whether `reserve` is live or dead (its edge's condition), and what must
    /// follow: how often `ship` runs and the run's status.
    struct JoinRow {
        var join: JoinStrategy
        var chargeFails: Bool
        var reserveLive: Bool
        var shipRuns: Int
    }

    static let rows: [JoinRow] = [
        JoinRow(join: .all, chargeFails: false, reserveLive: true, shipRuns: 1),
        JoinRow(join: .all, chargeFails: false, reserveLive: false, shipRuns: 1),
        JoinRow(join: .all, chargeFails: true, reserveLive: true, shipRuns: 1),
        JoinRow(join: .all, chargeFails: true, reserveLive: false, shipRuns: 1),
        JoinRow(join: .any, chargeFails: false, reserveLive: true, shipRuns: 1),
        JoinRow(join: .any, chargeFails: false, reserveLive: false, shipRuns: 1),
        JoinRow(join: .any, chargeFails: true, reserveLive: true, shipRuns: 1),
        JoinRow(join: .any, chargeFails: true, reserveLive: false, shipRuns: 1),
    ]

    /// The table as scenarios (each engine runs every row).
    package static var joinTable: [WorkflowScenario] {
        rows.map { row in
            let name = "join table: \(row.join == .all ? "all" : "any") join, charge \(row.chargeFails ? "fails (fallback)" : "succeeds"), reserve \(row.reserveLive ? "live" : "dead")"
            let id = "table-\(row.join == .all ? "all" : "any")-\(row.chargeFails ? "f" : "s")-\(row.reserveLive ? "l" : "d")"
            return WorkflowScenario(
                name,
                blueprints: [checkout(id, join: row.join, chargeFails: row.chargeFails,
                                      reserveCondition: row.reserveLive ? nil : "result.output > 5")],
                registry: { registry($0) },
                expect: ScenarioExpectation(
                    status: .completed,
                    eventCounts: [(EventMatcher(.nodeStart, "manual"), row.chargeFails ? 1 : 0),
                                  (EventMatcher(.nodeStart, "ship"), row.shipRuns),
                                  (EventMatcher(.nodeStart, "done"), row.shipRuns)],
                    check: runs(["ship": row.shipRuns, "done": row.shipRuns])))
        }
    }
}

extension WorkflowBlueprint {
    /// The blueprint with one edge replaced (scenario variants).
    func withEdge(_ old: EdgeDefinition, replacedBy new: EdgeDefinition) -> WorkflowBlueprint {
        var copy = self
        copy.edges = edges.map { $0.source == old.source && $0.target == old.target ? new : $0 }
        return copy
    }
}

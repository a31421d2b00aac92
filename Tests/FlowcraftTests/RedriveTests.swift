import Foundation
@testable import Flowcraft
import FlowcraftScenarios
import Testing

/// `FlowRuntime.redrive` beyond the scenarios: refusals, and a failed result persisted and redriven by
/// another runtime.
@Suite("In-memory redrive")
struct InMemoryRedriveTests {
    static func blueprint(version: String? = nil, uses: String = "fails-once") -> WorkflowBlueprint {
        var blueprint = ScenarioBuilding.blueprint(
            "pay", nodes: [ScenarioBuilding.node("fetch", "count"), ScenarioBuilding.node("charge", uses)],
            edges: [ScenarioBuilding.edge("fetch", "charge")])
        blueprint.version = version
        return blueprint
    }

    static func runtime(_ blueprint: WorkflowBlueprint, probe: ScenarioProbe) throws -> FlowRuntime {
        var registry = NodeRegistry()
        registry.register("count") { ctx in
            probe.increment("runs:" + ctx.nodeID)
            return NodeResult(output: 1)
        }
        registry.register("fails-once") { ctx in
            if probe.increment("runs:" + ctx.nodeID) == 1 { throw ScenarioFailure("first execution fails") }
            return NodeResult(output: "ok")
        }
        registry.register("other") { _ in NodeResult(output: "other") }
        return try FlowRuntime(blueprints: [blueprint], registry: registry)
    }

    static func refusal(_ body: () async throws -> WorkflowResult) async -> RedriveRules.Refusal? {
        do {
            _ = try await body()
            return nil
        } catch let error as FlowRuntimeError {
            if case .redriveRefused(let refusal) = error { return refusal }
            return nil
        } catch {
            return nil
        }
    }

    @Test("a failed result encoded to JSON is redriven by a new runtime; succeeded nodes do not run again")
    func persistedFailure() async throws {
        let probe = ScenarioProbe()
        let failed = try await Self.runtime(Self.blueprint(), probe: probe).run("pay")
        #expect(failed.status == .failed)
        #expect(failed.snapshot?.redrive?.items == [.node(1)])
        let decoded = try JSONDecoder().decode(WorkflowResult.self, from: JSONEncoder().encode(failed))
        let result = try await Self.runtime(Self.blueprint(), probe: probe).redrive(decoded)
        #expect(result.status == .completed)
        #expect(result.context["_outputs.charge"] == "ok")
        #expect(probe.count("runs:fetch") == 1 && probe.count("runs:charge") == 2)
        // Completed runs keep no snapshot, as before.
        #expect(result.snapshot == nil)
        #expect(await Self.refusal { try await Self.runtime(Self.blueprint(), probe: probe).redrive(result) }
            == .notFailed(runID: result.runID, status: "completed"))
    }

    @Test("refused when the blueprint's version label or graph changed since the run started")
    func changedBlueprint() async throws {
        let probe = ScenarioProbe()
        let failed = try await Self.runtime(Self.blueprint(version: "1"), probe: probe).run("pay")
        let relabelled = await Self.refusal { try await Self.runtime(Self.blueprint(version: "2"), probe: probe).redrive(failed) }
        #expect(relabelled?.description.contains("the run started with version '1', the loaded one is version '2'") == true)
        let regraphed = await Self.refusal {
            try await Self.runtime(Self.blueprint(version: "1", uses: "other"), probe: probe).redrive(failed)
        }
        #expect(regraphed?.description.contains("has another graph now") == true)
        #expect(probe.count("runs:charge") == 1, "a refused redrive runs nothing")
    }

    @Test("refused for a run that failed on routing, and for an awaiting run")
    func routingAndAwaiting() async throws {
        var registry = NodeRegistry()
        registry.register("act") { _ in NodeResult(output: .null, action: "no") }
        let unrouted = ScenarioBuilding.blueprint(
            "route", nodes: [ScenarioBuilding.node("decide", "act"), ScenarioBuilding.node("yes", "act")],
            edges: [ScenarioBuilding.edge("decide", "yes", action: "yes")])
        let waiting = ScenarioBuilding.blueprint("hold", nodes: [ScenarioBuilding.node("w", "wait")], edges: [])
        let runtime = try FlowRuntime(blueprints: [unrouted, waiting], registry: registry)
        let failed = try await runtime.run("route")
        #expect(failed.status == .failed)
        let routing = await Self.refusal { try await runtime.redrive(failed) }
        #expect(routing?.description.contains("failed on routing") == true)
        let paused = try await runtime.run("hold")
        #expect(await Self.refusal { try await runtime.redrive(paused) } == .notFailed(runID: paused.runID, status: "awaiting"))
    }
}

/// The engine-independent rule itself.
@Suite("Redrive rules")
struct RedriveRulesTests {
    @Test("what runs again: failed items first, then interrupted ones, each once")
    func itemsToRerun() {
        let items = RedriveRules.itemsToRerun(
            failed: [.fallback(node: 1, fallback: 2), .worker(owner: 3, slot: 0)],
            interrupted: [.node(4), .worker(owner: 3, slot: 0)])
        #expect(items == [.fallback(node: 1, fallback: 2), .worker(owner: 3, slot: 0), .node(4)])
    }

    @Test("refusals, in order: unknown, not failed, routing failure, blueprint gone or changed, nothing to rerun")
    func refusals() {
        func refusal(
            status: String? = "failed", started: String? = "1", current: String?? = .some("1"), graphs: (String, String)? = nil,
            failure: String? = "node 'x' failed", count: Int = 1
        ) -> RedriveRules.Refusal? {
            RedriveRules.refusal(
                runID: "r", blueprintID: "b", status: status, startedVersion: started, currentVersion: current,
                startedGraph: graphs?.0, currentGraph: graphs?.1, failure: failure, rerunCount: count)
        }
        #expect(refusal() == nil)
        #expect(refusal(status: nil) == .unknownRun(runID: "r"))
        #expect(refusal(status: "running")?.description.contains("already redriven, or still running") == true)
        #expect(refusal(status: "cancelled") == .notFailed(runID: "r", status: "cancelled"))
        #expect(refusal(failure: "[STUCK_JOIN] join 'j' can never fire") == .routingFailure(
            runID: "r", reason: "[STUCK_JOIN] join 'j' can never fire"))
        #expect(refusal(current: .none)?.description.contains("version '1', which is not loaded") == true)
        #expect(refusal(current: .some(nil))?.description.contains("the loaded one is the unversioned blueprint") == true)
        #expect(refusal(graphs: ("a", "b"))?.description.contains("has another graph now") == true)
        #expect(refusal(graphs: ("a", "a")) == nil)
        #expect(refusal(count: 0) == .nothingToRerun(runID: "r"))
    }

    @Test("the graph digest is stable across processes and sees a changed node, edge or action")
    func graphDigest() throws {
        let base = ScenarioBuilding.blueprint(
            "g", nodes: [ScenarioBuilding.node("a"), ScenarioBuilding.node("b")], edges: [ScenarioBuilding.edge("a", "b")])
        let digest = RedriveRules.graphDigest(try CompiledBlueprint(base))
        // A fixed value: FNV-1a, no per-process seed.
        #expect(digest == "3d34ff7ef73eb7ff")
        #expect(digest == RedriveRules.graphDigest(try CompiledBlueprint(base)))
        var relabelled = base
        relabelled.edges[0].action = "go"
        #expect(RedriveRules.graphDigest(try CompiledBlueprint(relabelled)) != digest)
        var reused = base
        reused.nodes[1].uses = "other"
        #expect(RedriveRules.graphDigest(try CompiledBlueprint(reused)) != digest)
    }
}

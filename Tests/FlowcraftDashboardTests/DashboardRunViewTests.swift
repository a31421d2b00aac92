import Flowcraft
@testable import FlowcraftDashboard
import Foundation
import Testing

/// The Run page draws a run from `RunGraphStates`, the derivation `flowcraft graph --run` uses.
@Suite("Dashboard run view (one semantics with graph --run)")
struct DashboardRunViewTests {
    @Test func nodeStatesTakenEdgesAndWaitingNodesAreRunGraphStates() throws {
        let plan = try CompiledBlueprint(SampleRuns.approval)
        let start = SampleRuns.base
        // decide routed `approve`: ship runs now, notify's only edge is dead (skipped).
        var decide = RunHistoryEvent.NodeExecution(
            nodeID: "decide", status: .completed,
            attempts: [RunHistoryEvent.Attempt(startedAt: start + 20, endedAt: start + 25, error: nil)])
        decide.action = "approve"
        let events = SampleRuns.events(
            [
                .runStarted(.init(blueprintID: "approval", context: ["n": 1])),
                SampleRuns.execution("request", at: start + 5),
                .paused(nodes: ["decide"]), .resumed(nodeID: "decide", action: "approve"),
                .nodeFinished(decide),
            ], from: start)
        let summary = RunSummary(runID: "r", blueprintID: "approval", status: .running, startedAt: start)
        let view = DashboardRunView(summary: summary, events: events, plan: plan)
        let graph = RunGraphStates(plan: plan, summary: summary, events: events)
        #expect(view.nodeStates["ship"] == .running && view.nodeStates["notify"] == .skipped)
        #expect(view.nodeStates.mapValues(\.rawValue) == graph.nodes.mapValues(\.rawValue))
        #expect(view.takenEdges == graph.takenEdges)
        #expect(view.waitingNodes.isEmpty && view.context == ["n": 1])
    }

    @Test func aRecoveredNodeIsDrawnRecoveredAndItsFallbackCompleted() throws {
        let blueprint = WorkflowBlueprint(
            id: "fb",
            nodes: [
                NodeDefinition(id: "a", uses: "x", config: NodeConfig(fallback: "af")), NodeDefinition(id: "af", uses: "x"),
                NodeDefinition(id: "b", uses: "x"),
            ],
            edges: [EdgeDefinition(source: "a", target: "b")])
        let plan = try CompiledBlueprint(blueprint)
        let start = SampleRuns.base
        var recovered = RunHistoryEvent.NodeExecution(
            nodeID: "a", status: .recovered,
            attempts: [RunHistoryEvent.Attempt(startedAt: start, endedAt: start + 5, error: "boom")])
        recovered.fallbackNodeID = "af"
        let events = SampleRuns.events(
            [.runStarted(.init(blueprintID: "fb", context: [:])), .nodeFinished(recovered), SampleRuns.execution("b", at: start + 10)],
            from: start)
        let summary = RunSummary(runID: "r", blueprintID: "fb", status: .completed, startedAt: start)
        let view = DashboardRunView(summary: summary, events: events, plan: plan)
        #expect(view.nodeStates == ["a": .recovered, "af": .completed, "b": .completed])
        #expect(view.takenEdges == RunGraphStates(plan: plan, summary: summary, events: events).takenEdges)
    }
}

/// A run's page shows at most 64 KB of its context (found by review: a 5 MB context made every page
/// and each 2 s refresh of a running run 5 MB, and slowed the whole dashboard).
@Suite struct RunPageContextTests {
    @Test func smallContextsAreShownWhole() {
        let shown = RunDetailPage.contextText(["b": 2, "a": "x"])
        #expect(shown.text == "{\n  \"a\": \"x\",\n  \"b\": 2\n}")
        #expect(!shown.truncated)
        #expect(RunDetailPage.contextText([:]).text == "{}")
    }

    @Test func largeContextsAndValuesAreCut() {
        let big = String(repeating: "é", count: 500_000)
        let one = RunDetailPage.contextText(["big": .string(big), "small": 1])
        #expect(one.truncated)
        #expect(one.text.utf8.count < 6 * 1024)
        #expect(one.text.contains("… (1000002 bytes)") && one.text.contains("\"small\": 1"))
        var many: [String: JSONValue] = [:]
        for i in 0..<1_000 { many[String(format: "k%04d", i)] = .string(String(repeating: "v", count: 1_000)) }
        let cut = RunDetailPage.contextText(many)
        #expect(cut.truncated)
        #expect(cut.text.utf8.count <= RunDetailPage.contextShownBytes + 100)
        #expect(cut.text.contains("more keys"))
    }
}

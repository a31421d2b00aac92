import Flowcraft
import FlowcraftScenarios
import Testing

@Suite("Context keys")
struct ContextKeysTests {
    @Test func internalKeysAreTheReservedOnes() {
        let reserved = [
            ContextKeys.batchItem(scatter: "s", index: 0), ContextKeys.batchWorkerIDs(gather: "g"),
            ContextKeys.batchHasMore(gather: "g"), ContextKeys.dynamicRecord(spawner: "n", iteration: 2),
        ]
        for key in reserved { #expect(ContextKeys.isInternal(key), "\(key)") }
        let visible = [ContextKeys.output(of: "n"), ContextKeys.input(of: "n"), "count", "_private", "", "_flowcraft"]
        for key in visible { #expect(!ContextKeys.isInternal(key), "\(key)") }
        #expect(ContextKeys.output(of: "n") == "_outputs.n" && ContextKeys.input(of: "n") == "_inputs.n")
    }

    @Test func visibleLeavesOutInternalKeysOnly() {
        let context: [String: JSONValue] = [
            "a": 1, "_outputs.x": 2, ContextKeys.batchWorkerIDs(gather: "g"): ["w"],
            ContextKeys.dynamicRecord(spawner: "n", iteration: 0): [:],
        ]
        #expect(ContextKeys.visible(context) == ["a": 1, "_outputs.x": 2])
        #expect(ContextKeys.visible(["a": 1]) == ["a": 1])
    }

    @Test func aPausedRunsSnapshotKeepsTheBookkeepingItsResultHides() async throws {
        let scenario = DataFlowScenarios.bookkeepingSurvivesPause
        let runtime = try FlowRuntime(blueprints: scenario.blueprints, registry: scenario.makeRegistry(ScenarioProbe()))
        let paused = try await runtime.run("bookkeeping-pause")
        #expect(paused.status == .awaiting)
        #expect(!paused.context.keys.contains(where: ContextKeys.isInternal))
        #expect(paused.snapshot?.context[ContextKeys.batchWorkerIDs(gather: "gather")] == ["double_scatter_0", "double_scatter_1"])
    }
}

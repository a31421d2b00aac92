import Synchronization
import Flowcraft
import Foundation
import Testing

@Suite("RunScheduler (pure scheduling core)")
struct RunSchedulerTests {
    func plan(_ nodes: [String], _ edges: [(String, String, String?)], join: [String: JoinStrategy] = [:]) throws -> CompiledBlueprint {
        try CompiledBlueprint(
            WorkflowBlueprint(
                id: "p",
                nodes: nodes.map { NodeDefinition(id: $0, uses: "x", config: NodeConfig(joinStrategy: join[$0])) },
                edges: edges.map { EdgeDefinition(source: $0.0, target: $0.1, action: $0.2) }))
    }

    @Test func deadPathsResolveAnAllJoin() throws {
        let p = try plan(
            ["s", "a", "b", "b2", "j"], [("s", "a", "left"), ("s", "b", "right"), ("b", "b2", nil), ("a", "j", nil), ("b2", "j", nil)])
        var scheduler = RunScheduler(plan: p)
        #expect(scheduler.takeReady() == .node(0))
        let routed = scheduler.complete(.node(0), action: "left", in: p) { _ in true }
        #expect(routed.activated == [.node(1)])
        #expect(routed.skipped == [2, 3])
        #expect(scheduler.takeReady() == .node(1))
        let joined = scheduler.complete(.node(1), action: nil, in: p) { _ in true }
        #expect(joined.activated == [.node(4)])
        #expect(scheduler.takeReady() == .node(4))
        _ = scheduler.complete(.node(4), action: nil, in: p) { _ in true }
        #expect(scheduler.isIdle)
        #expect(scheduler.skippedCount == 2)
    }

    @Test func redeliveredArrivalCountsOnce() throws {
        let p = try plan(["a", "b", "j"], [("a", "j", nil), ("b", "j", nil)])
        var scheduler = RunScheduler(plan: p)
        _ = scheduler.takeReady()
        _ = scheduler.takeReady()
        let first = scheduler.complete(.node(0), action: nil, in: p) { _ in true }
        #expect(first.activated.isEmpty)
        let second = scheduler.complete(.node(1), action: nil, in: p) { _ in true }
        #expect(second.activated == [.node(2)])
    }

    @Test func stateSurvivesJSONRoundTripMidRun() throws {
        let p = try plan(["s", "w", "t"], [("s", "w", nil), ("w", "t", nil)])
        var scheduler = RunScheduler(plan: p)
        guard let s = scheduler.takeReady() else { Issue.record("no start"); return }
        _ = scheduler.complete(s, action: nil, in: p) { _ in true }
        guard let w = scheduler.takeReady() else { Issue.record("no w"); return }
        scheduler.suspend(w, nodeID: "w", reason: .wait)
        let data = try JSONEncoder().encode(scheduler)
        var restored = try JSONDecoder().decode(RunScheduler.self, from: data)
        #expect(restored.isIdle)
        #expect(restored.awaiting.map(\.nodeID) == ["w"])
        guard let resumed = restored.resume(nodeID: "w") else { Issue.record("not resumable"); return }
        let routed = restored.complete(resumed.item, action: nil, in: p) { _ in true }
        #expect(routed.activated == [.node(2)])
    }

    @Test func batchesReleaseChunksAndRouteAfterTheLastWorker() throws {
        let p = try plan(["s", "g"], [("s", "g", nil)])
        var scheduler = RunScheduler(plan: p)
        guard let s = scheduler.takeReady() else { return }
        let workers = (0..<5).map { NodeDefinition(id: "w\($0)", uses: "x") }
        let started = scheduler.startBatch(s, workers: workers, chunkSize: 2, action: nil, in: p) { _ in true }
        #expect(started.activated == [.worker(owner: 0, slot: 0), .worker(owner: 0, slot: 1)])
        var order: [WorkItem] = []
        while let item = scheduler.takeReady() {
            order.append(item)
            let routed = scheduler.complete(item, action: nil, in: p) { _ in true }
            if routed.activated.contains(.node(1)) { order.append(.node(-1)) }
        }
        #expect(order.count == 7)
        #expect(order.suffix(2) == [.node(1), .node(-1)] || order.last == .node(1))
    }

    @Test func preparationErrorsCarryLocations() {
        let location = SourceLocation(file: "f.yaml", line: 9, column: 3)
        let blueprint = WorkflowBlueprint(
            id: "bad", nodes: [NodeDefinition(id: "a", uses: "x")],
            edges: [EdgeDefinition(source: "a", target: "ghost", location: location)])
        #expect {
            try CompiledBlueprint(blueprint)
        } throws: { error in
            (error as? BlueprintPreparationError)?.description == "f.yaml:9:3: blueprint 'bad': edge target 'ghost' is not a node"
        }
    }
}

@Suite("FlowRuntime")
struct FlowRuntimeTests {
    @Test func longChainRunsWithoutRecursion() async throws {
        let n = 20_000
        let nodes = (0..<n).map { NodeDefinition(id: "n\($0)", uses: "noop") }
        let edges = (1..<n).map { EdgeDefinition(source: "n\($0 - 1)", target: "n\($0)") }
        var registry = NodeRegistry()
        registry.register("noop") { ctx in NodeResult(output: ctx.input) }
        let runtime = try FlowRuntime(blueprints: [WorkflowBlueprint(id: "long", nodes: nodes, edges: edges)], registry: registry)
        let result = try await runtime.run("long", context: ["_inputs.n0": 1])
        #expect(result.status == .completed)
        #expect(result.context["_outputs.n\(n - 1)"] == 1)
    }

    @Test func concurrencyLimitIsASlidingWindow() async throws {
        let probe = Probe()
        var registry = NodeRegistry()
        registry.register("work") { _ in
            probe.enter()
            defer { probe.leave() }
            try await Task.sleep(for: .milliseconds(2))
            return NodeResult()
        }
        registry.register("start") { _ in NodeResult() }
        let nodes = [NodeDefinition(id: "s", uses: "start")] + (0..<40).map { NodeDefinition(id: "w\($0)", uses: "work") }
        let edges = (0..<40).map { EdgeDefinition(source: "s", target: "w\($0)") }
        let runtime = try FlowRuntime(
            blueprints: [WorkflowBlueprint(id: "fan", nodes: nodes, edges: edges)], registry: registry, concurrency: 4)
        let result = try await runtime.run("fan")
        #expect(result.status == .completed)
        #expect(probe.peak <= 4 && probe.peak >= 1)
    }

    @Test func misuseThrows() async throws {
        let runtime = try FlowRuntime(blueprints: [WorkflowBlueprint(id: "x")])
        await #expect(throws: FlowRuntimeError.unknownBlueprint("nope")) { try await runtime.run("nope") }
        let done = try await runtime.run("x")
        #expect(done.status == .completed)
        await #expect(throws: FlowRuntimeError.notAwaiting(runID: done.runID, status: .completed)) {
            try await runtime.resume(done, action: "go")
        }
    }

    @Test func unregisteredUsesFailsWithLocation() async throws {
        let location = SourceLocation(file: "b.yaml", line: 4, column: 5)
        let runtime = try FlowRuntime(blueprints: [
            WorkflowBlueprint(id: "x", nodes: [NodeDefinition(id: "a", uses: "missing", location: location)])
        ])
        let result = try await runtime.run("x")
        #expect(result.status == .failed)
        #expect(result.errors.first?.description == "b.yaml:4:5: error: node 'a' in blueprint 'x': no implementation is registered for uses 'missing'")
    }
}

final class Probe: Sendable {
    private let state = Mutex((active: 0, peak: 0))
    func enter() { state.withLock { $0.active += 1; $0.peak = max($0.peak, $0.active) } }
    func leave() { state.withLock { $0.active -= 1 } }
    var peak: Int { state.withLock { $0.peak } }
}

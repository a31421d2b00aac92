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
        let started = scheduler.startBatch(
            s, workers: workers, chunkSize: 2, action: nil, output: .null, in: p) { _ in true }
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

    /// The next ready item; records an issue when there is none.
    func take(_ scheduler: inout RunScheduler) throws -> WorkItem {
        let item = scheduler.takeReady()
        return try #require(item)
    }

    /// primary (fallback: backup) -> next; backup -> audit.
    func fallbackPlan() throws -> CompiledBlueprint {
        try CompiledBlueprint(
            WorkflowBlueprint(
                id: "fb",
                nodes: [NodeDefinition(id: "primary", uses: "x", config: NodeConfig(fallback: "backup")),
                        NodeDefinition(id: "backup", uses: "x"), NodeDefinition(id: "next", uses: "x"),
                        NodeDefinition(id: "audit", uses: "x")],
                edges: [EdgeDefinition(source: "primary", target: "next"),
                        EdgeDefinition(source: "backup", target: "audit")]))
    }

    /// Runs primary, fails it, and starts a batch of two workers from its fallback.
    func fallbackBatch(_ p: CompiledBlueprint) throws -> (RunScheduler, WorkItem) {
        var scheduler = RunScheduler(plan: p)
        let primary = try take(&scheduler)
        #expect(primary == .node(0))
        let failed = scheduler.fail(primary, in: p, allowFallback: true)
        let fallback = try #require(failed)
        #expect(fallback == .fallback(node: 0, fallback: 1))
        #expect(scheduler.takeReady() == fallback)
        let workers = [NodeDefinition(id: "w0", uses: "x"), NodeDefinition(id: "w1", uses: "x")]
        let started = scheduler.startBatch(
            fallback, workers: workers, chunkSize: 2, action: nil, output: "spawned", in: p) { _ in true }
        #expect(started.activated == [.worker(owner: 1, slot: 0), .worker(owner: 1, slot: 1)])
        return (scheduler, fallback)
    }

    @Test func fallbackBatchRoutesAlongTheFailedNodesEdgesAfterTheLastWorker() throws {
        let p = try fallbackPlan()
        var (scheduler, fallback) = try fallbackBatch(p)
        #expect(scheduler.batchRouting(owner: 1)?.item == fallback)
        #expect(scheduler.batchRouting(owner: 1)?.output == "spawned")
        let first = try take(&scheduler)
        #expect(scheduler.complete(first, action: nil, in: p) { _ in true }.activated.isEmpty)
        let last = try take(&scheduler)
        let routed = scheduler.complete(last, action: nil, in: p) { _ in true }
        #expect(routed.activated == [.node(2), .node(3)])
        #expect(routed.takenEdges.map { p.nodes[p.edges[$0].source].id } == ["primary", "backup"])
        #expect(scheduler.batchRouting(owner: 1) == nil)
    }

    @Test func conditionsAfterABatchAreAskedForTheOwnersEdgesOnlyWhenTheLastWorkerFinished() throws {
        let p = try CompiledBlueprint(
            WorkflowBlueprint(
                id: "c",
                nodes: ["s", "yes", "no", "other"].map { NodeDefinition(id: $0, uses: "x") },
                edges: [EdgeDefinition(source: "s", target: "yes", action: "go", condition: "result.output == 'out'"),
                        EdgeDefinition(source: "s", target: "no", action: "go", condition: "result.output != 'out'"),
                        EdgeDefinition(source: "s", target: "other", action: "stop")]))
        var scheduler = RunScheduler(plan: p)
        let s = try take(&scheduler)
        let workers = [NodeDefinition(id: "w0", uses: "x"), NodeDefinition(id: "w1", uses: "x")]
        var asked: [Int] = []
        _ = scheduler.startBatch(s, workers: workers, chunkSize: 2, action: "go", output: "out", in: p) {
            asked.append($0)
            return true
        }
        let routing = try #require(scheduler.batchRouting(owner: 0))
        #expect(routing.item == .node(0))
        #expect(routing.output == "out")
        #expect(routing.action == "go")
        let first = try take(&scheduler)
        _ = scheduler.complete(first, action: "ignored", in: p) {
            asked.append($0)
            return true
        }
        #expect(asked.isEmpty)
        let last = try take(&scheduler)
        let routed = scheduler.complete(last, action: "stop", in: p) { e in
            asked.append(e)
            return p.nodes[p.edges[e].target].id == "yes"
        }
        // The owner's action ("go"), not the worker's ("stop"), selects the edges.
        #expect(asked.map { p.nodes[p.edges[$0].target].id } == ["yes", "no"])
        #expect(routed.activated == [.node(1)])
        #expect(Set(routed.skipped) == [2, 3])
        #expect(scheduler.takeReady() == .node(1))
        #expect(scheduler.readyCount == 0)
    }

    @Test func aBatchMidRunSurvivesJSONRoundTrip() throws {
        let p = try fallbackPlan()
        var (scheduler, fallback) = try fallbackBatch(p)
        let first = try take(&scheduler)
        _ = scheduler.complete(first, action: nil, in: p) { _ in true }
        var restored = try JSONDecoder().decode(RunScheduler.self, from: try JSONEncoder().encode(scheduler))
        #expect(restored.batchRouting(owner: 1)?.item == fallback)
        #expect(restored.batchRouting(owner: 1)?.output == "spawned")
        #expect(restored.worker(owner: 1, slot: 1)?.id == "w1")
        let last = try take(&restored)
        #expect(last == .worker(owner: 1, slot: 1))
        #expect(restored.complete(last, action: nil, in: p) { _ in true }.activated == [.node(2), .node(3)])
    }

    @Test func aBatchEncodedWithoutItsSpawnerRoutesFromItsOwner() throws {
        let p = try fallbackPlan()
        let (scheduler, _) = try fallbackBatch(p)
        // State encoded before batches kept their spawner and output.
        func strip(_ value: Any) -> Any {
            if let object = value as? [String: Any] {
                return object.filter { $0.key != "spawner" && $0.key != "output" }.mapValues(strip)
            }
            if let array = value as? [Any] { return array.map(strip) }
            return value
        }
        let json = strip(try JSONSerialization.jsonObject(with: try JSONEncoder().encode(scheduler)))
        let data = try JSONSerialization.data(withJSONObject: json)
        var restored = try JSONDecoder().decode(RunScheduler.self, from: data)
        #expect(restored.batchRouting(owner: 1)?.item == .node(1))
        #expect(restored.batchRouting(owner: 1)?.output == .null)
        var activated: [WorkItem] = []
        while let item = restored.takeReady() {
            activated += restored.complete(item, action: nil, in: p) { _ in true }.activated
        }
        #expect(activated == [.node(3)])
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
        let runtime = try Self.fanOut("fan", width: 40, prefix: "w", uses: "work", registry: registry, concurrency: 4)
        let result = try await runtime.run("fan")
        #expect(result.status == .completed)
        #expect(probe.peak <= 4 && probe.peak >= 1)
    }

    /// Concurrent nodes run on a few long-lived worker tasks: nodes that wait for each other must
    /// still all be in flight at once, up to the limit (a pool that ran fewer at a time would never
    /// let the barrier open; the barrier gives up after 10 s so that the test fails, not hangs).
    @Test func nodesThatWaitForEachOtherRunSideBySideUpToTheLimit() async throws {
        let barrier = Barrier(parties: 8)
        var registry = NodeRegistry()
        registry.register("meet") { _ in
            NodeResult(output: .bool(await barrier.arriveAndWait(timeout: .seconds(10))))
        }
        let runtime = try Self.fanOut("meet", width: 8, prefix: "m", uses: "meet", registry: registry, concurrency: 8)
        let result = try await runtime.run("meet")
        #expect(result.status == .completed)
        for i in 0..<8 { #expect(result.context["_outputs.m\(i)"] == .bool(true), "m\(i) gave up waiting for the others") }
    }

    /// A runtime with blueprint `id`: a start node `s` and `width` nodes `<prefix>0…` after it, all
    /// running `uses` (registered in `registry`; `start` is added).
    static func fanOut(
        _ id: String, width: Int, prefix: String, uses: String, registry: NodeRegistry, concurrency: Int
    ) throws -> FlowRuntime {
        var registry = registry
        registry.register("start") { _ in NodeResult() }
        let nodes = [NodeDefinition(id: "s", uses: "start")] + (0..<width).map { NodeDefinition(id: "\(prefix)\($0)", uses: uses) }
        let edges = (0..<width).map { EdgeDefinition(source: "s", target: "\(prefix)\($0)") }
        return try FlowRuntime(
            blueprints: [WorkflowBlueprint(id: id, nodes: nodes, edges: edges)], registry: registry,
            options: FlowRuntime.Options(concurrency: concurrency))
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
    private let state = PthreadMutex((active: 0, peak: 0))
    func enter() { state.withLock { $0.active += 1; $0.peak = max($0.peak, $0.active) } }
    func leave() { state.withLock { $0.active -= 1 } }
    var peak: Int { state.withLock { $0.peak } }
}

/// Lets `parties` tasks wait until all of them arrived; one that waits longer than its timeout
/// gets `false`.
final class Barrier: Sendable {
    private let arrived = PthreadMutex(0)
    private let parties: Int

    init(parties: Int) { self.parties = parties }

    func arriveAndWait(timeout: Duration) async -> Bool {
        arrived.withLock { $0 += 1 }
        let deadline = ContinuousClock.now + timeout
        while arrived.withLock({ $0 }) < parties {
            if ContinuousClock.now >= deadline { return false }
            try? await Task.sleep(for: .milliseconds(1))
        }
        return true
    }
}

import Flowcraft
@testable import FlowcraftRedis
import Testing

@Suite("Distributed batch scatter/gather", .requiresRedis)
struct DistributedBatchTests {
    /// items → scatter (worker `double`) → gather → after.
    static func batchBlueprint(items: [JSONValue], chunkSize: Int) -> WorkflowBlueprint {
        WorkflowBlueprint(
            id: "batch",
            nodes: [
                NodeDefinition(id: "items", uses: "items", params: ["value": .array(items)]),
                NodeDefinition(id: "scatter", uses: "batch-scatter", params: [
                    "workerUsesKey": "double", "gatherNodeId": "gather", "chunkSize": .int(chunkSize),
                ]),
                NodeDefinition(id: "gather", uses: "batch-gather", params: ["gatherNodeId": "gather", "outputKey": "doubled"]),
                NodeDefinition(id: "after", uses: "after", inputs: .key("doubled")),
            ],
            edges: [
                EdgeDefinition(source: "items", target: "scatter"), EdgeDefinition(source: "scatter", target: "gather"),
                EdgeDefinition(source: "gather", target: "after"),
            ])
    }

    /// Counts executions per node id.
    final class Counter: Sendable {
        let counts = PthreadMutex<[String: Int]>([:])
        func hit(_ id: String) { counts.withLock { $0[id, default: 0] += 1 } }
        func count(_ id: String) -> Int { counts.withLock { $0[id] ?? 0 } }
    }

    static func registry(_ counter: Counter) -> NodeRegistry {
        var registry = NodeRegistry()
        registry.register("items") { ctx in NodeResult(output: ctx.params["value"] ?? .null) }
        registry.register("double") { ctx in
            counter.hit(ctx.nodeID)
            let value = ctx.input.intValue ?? 0
            return NodeResult(output: value == 3 ? .null : .int(value * 2))
        }
        registry.register("after") { ctx in
            counter.hit(ctx.nodeID)
            return NodeResult(output: ctx.input)
        }
        return registry
    }

    @Test("each item runs as its own worker job once; the gather fires once with results in input order")
    func workersAreJobs() async throws {
        let counter = Counter()
        let items: [JSONValue] = [1, 2, 3, 4, 5]
        let blueprint = Self.batchBlueprint(items: items, chunkSize: 2)
        let queueName = DistributedTestSupport.uniqueQueue("batch")
        let (status, workerJobs) = try await DistributedTestSupport.withWorker(
            blueprints: [blueprint], registry: Self.registry(counter), queue: queueName
        ) { workflows, client in
            let runID = try await workflows.startWorkflow(blueprint)
            let status = try await workflows.result(runID, timeout: TestTiming.seconds(20))
            let queue = try Queue(name: queueName, client: client)
            let spec = try #require(BatchPlan(scatter: blueprint.nodes[1]))
            var workerJobs: [JSONValue?] = []
            for i in items.indices {
                let data = NodeJobData(runID: runID, blueprintID: "batch", worker: spec, index: i, count: items.count, iteration: 0)
                workerJobs.append(try await queue.getJob(data.jobID)?.returnValue)
            }
            return (status, workerJobs)
        }
        #expect(status.status == .completed)
        #expect(status.context["doubled"] == [2, 4, nil, 8, 10])
        #expect(status.context["_outputs.after"] == [2, 4, nil, 8, 10])
        #expect(counter.count("after") == 1)
        for i in items.indices {
            #expect(counter.count("double_scatter_\(i)") == 1)
            #expect(workerJobs[i]?.objectValue?["commit"] == "committed")
        }
    }

    @Test("an empty batch goes straight to the gather with no results")
    func emptyBatch() async throws {
        let counter = Counter()
        let blueprint = Self.batchBlueprint(items: [], chunkSize: 3)
        let status = try await DistributedTestSupport.withWorker(
            blueprints: [blueprint], registry: Self.registry(counter), queue: DistributedTestSupport.uniqueQueue("batch-empty")
        ) { workflows, _ in
            let runID = try await workflows.startWorkflow(blueprint)
            return try await workflows.result(runID, timeout: TestTiming.seconds(20))
        }
        #expect(status.status == .completed)
        #expect(status.context["doubled"] == [])
        #expect(counter.count("after") == 1)
    }

    @Test("redelivered worker completions commit nothing twice and the gather fires only after every worker")
    func redeliveredWorkers() async throws {
        let blueprint = Self.batchBlueprint(items: [10, 20, 30], chunkSize: 2)
        let fixture = try CompletionIdempotencyTests.Fixture(blueprint)
        defer { Task { await fixture.client.close() } }
        let plan = fixture.prepared.compiled
        let s = try #require(plan.nodeIndex["scatter"])
        let spec = try #require(BatchPlan(scatter: plan.nodes[s]))
        try await fixture.start()
        #expect(try await fixture.complete("items").code == "committed")

        let scatterData = NodeJobData(runID: fixture.runID, blueprintID: "batch", nodeID: "scatter")
        let scatterState = RedisWorkflowState(runID: fixture.runID, client: fixture.client, mode: .buffered)
        let scatter = try await NodeJobExecutor.batchScatterChange(
            prepared: fixture.prepared, data: scatterData, item: .node(s), scatter: s, spec: spec, items: [10, 20, 30],
            input: [10, 20, 30], state: scatterState, options: fixture.options)
        #expect(try await fixture.committer.commit(runID: fixture.runID, blueprintID: "batch", version: nil, scatter).code == "committed")
        // The first window only; the gather is not pending yet.
        #expect(try await fixture.pending() == ["double_scatter_0#0", "double_scatter_1#0"])

        func completeWorker(_ i: Int) async throws -> String {
            let data = NodeJobData(runID: fixture.runID, blueprintID: "batch", worker: spec, index: i, count: 3, iteration: 0)
            let state = RedisWorkflowState(runID: fixture.runID, client: fixture.client, mode: .buffered)
            let change = NodeJobExecutor.batchWorkerChange(
                prepared: DistributedBlueprint(plan), data: data, scatter: s, spec: spec, output: .int(i), state: state, options: fixture.options)
            return try await fixture.committer.commit(runID: fixture.runID, blueprintID: "batch", version: nil, change).code
        }
        #expect(try await completeWorker(1) == "committed")
        #expect(try await completeWorker(1) == "duplicate")
        #expect(try await fixture.pending() == ["double_scatter_0#0"])
        #expect(try await completeWorker(0) == "committed")
        #expect(try await fixture.pending() == ["double_scatter_2#0"])
        #expect(try await completeWorker(0) == "duplicate")
        #expect(try await completeWorker(2) == "committed")
        // The last worker's commit enqueues the scatter's continuation, once; it routes to the gather.
        #expect(try await fixture.pending() == ["scatter~dynamic-done#0"])
        #expect(try await completeWorker(2) == "duplicate")
        // The scatter's own job (the commit was applied directly here) and, once, its continuation.
        #expect(try await fixture.waitingNodes().filter { $0 == "scatter" }.count == 2)
    }

    @Test("a worker job data with an index outside its batch is rejected")
    func invalidWorkerData() {
        #expect(throws: DistributedError.self) {
            try NodeJobData(json: ["runId": "r", "blueprintId": "b", "nodeId": "w", "batchOf": "s", "batchIndex": 3, "batchCount": 3])
        }
    }

    @Test("a scatter of thousands of items commits (the state writes exceed what one Lua unpack takes) and stores every item")
    func largeScatterCommits() async throws {
        let count = 6_000
        let items: [JSONValue] = (0..<count).map { .int($0) }
        let blueprint = Self.batchBlueprint(items: [], chunkSize: 4)
        let fixture = try CompletionIdempotencyTests.Fixture(blueprint)
        defer { Task { await fixture.client.close() } }
        let plan = fixture.prepared.compiled
        let s = try #require(plan.nodeIndex["scatter"])
        let spec = try #require(BatchPlan(scatter: plan.nodes[s]))
        try await fixture.start()
        #expect(try await fixture.complete("items").code == "committed")
        let scatter = try await NodeJobExecutor.batchScatterChange(
            prepared: fixture.prepared, data: NodeJobData(runID: fixture.runID, blueprintID: "batch", nodeID: "scatter"),
            item: .node(s), scatter: s, spec: spec, items: items, input: .array(items),
            state: RedisWorkflowState(runID: fixture.runID, client: fixture.client, mode: .buffered), options: fixture.options)
        let outcome = try await fixture.committer.commit(runID: fixture.runID, blueprintID: "batch", version: nil, scatter)
        #expect(outcome.code == "committed")
        #expect(outcome.enqueued == 4)
        let state = RedisWorkflowState(runID: fixture.runID, client: fixture.client)
        #expect(try await state.get(spec.itemKey(0)) == 0)
        #expect(try await state.get(spec.itemKey(count - 1)) == .int(count - 1))
        #expect(try await state.get(spec.workerIDsKey)?.arrayValue?.count == count)
    }
}

import Flowcraft
@testable import FlowcraftRedis
import Testing

/// Dynamic nodes (`NodeResult.dynamicNodes`) in the distributed engine: each runs as its own job,
/// before the spawner's successors; the spawner routes once, after the last one committed.
@Suite("Distributed dynamic nodes", .requiresRedis)
struct DistributedDynamicNodeTests {
    /// Counts executions per node id and records what successors saw.
    final class Probe: Sendable {
        let counts = PthreadMutex<[String: Int]>([:])
        func hit(_ id: String) { counts.withLock { $0[id, default: 0] += 1 } }
        func count(_ id: String) -> Int { counts.withLock { $0[id] ?? 0 } }
    }

    /// spawn → (action "left") left, spawn → (action "right") right; `spawn` returns `dynamic`.
    static func blueprint(id: String = "dynamic") -> WorkflowBlueprint {
        WorkflowBlueprint(
            id: id,
            nodes: [NodeDefinition(id: "spawn", uses: "spawner"), NodeDefinition(id: "left", uses: "collect"),
                    NodeDefinition(id: "right", uses: "collect")],
            edges: [EdgeDefinition(source: "spawn", target: "left", action: "left"),
                    EdgeDefinition(source: "spawn", target: "right", action: "right")])
    }

    static func dynamicNode(_ id: String, value: Int, uses: String = "work", config: NodeConfig = NodeConfig()) -> NodeDefinition {
        NodeDefinition(id: id, uses: uses, params: ["value": .int(value)], config: config)
    }

    /// `spawner` returns `nodes` with `action`; `work` doubles its `value` param; `collect` returns the
    /// dynamic nodes' outputs as it finds them in the context.
    static func registry(_ probe: Probe, nodes: [NodeDefinition], action: String? = "right") -> NodeRegistry {
        var registry = NodeRegistry()
        registry.register("spawner") { ctx in
            probe.hit(ctx.nodeID)
            return NodeResult(output: "spawned", action: action, dynamicNodes: nodes)
        }
        registry.register("work") { ctx in
            probe.hit(ctx.nodeID)
            return NodeResult(output: .int((ctx.params["value"]?.intValue ?? 0) * 2))
        }
        registry.register("broken") { ctx in
            probe.hit(ctx.nodeID)
            throw DistributedError("broken on attempt \(ctx.attempt)")
        }
        registry.register("collect") { ctx in
            probe.hit(ctx.nodeID)
            var seen: [JSONValue] = []
            for node in nodes { seen.append(try await ctx.state.get("_outputs." + node.id) ?? .null) }
            return NodeResult(output: .array(seen))
        }
        return registry
    }

    @Test("each dynamic node runs once as its own job; their outputs are in the context before the spawner's successor runs")
    func outputsBeforeSuccessor() async throws {
        let probe = Probe()
        let nodes = (1...4).map { Self.dynamicNode("dyn-\($0)", value: $0) }
        let blueprint = Self.blueprint()
        let queueName = DistributedTestSupport.uniqueQueue("dynamic")
        let (status, returns, fields) = try await DistributedTestSupport.withWorker(
            blueprints: [blueprint], registry: Self.registry(probe, nodes: nodes), queue: queueName
        ) { workflows, client in
            let runID = try await workflows.startWorkflow(blueprint)
            let status = try await workflows.result(runID, timeout: TestTiming.seconds(20))
            let queue = try Queue(name: queueName, client: client)
            let spawner = NodeJobData(runID: runID, blueprintID: "dynamic", nodeID: "spawn")
            var returns: [JSONValue?] = []
            for node in nodes {
                let data = DynamicNodes.nodeJob(node, spawner: "spawn", count: nodes.count, data: spawner)
                returns.append(try await queue.getJob(data.jobID)?.returnValue)
            }
            let fields = try await client.send(["HKEYS", DistributedKeys(runID: runID).state]).array?.compactMap(\.string) ?? []
            return (status, returns, fields)
        }
        #expect(status.status == .completed)
        #expect(status.context["_outputs.right"] == [2, 4, 6, 8])
        #expect(status.context["_outputs.spawn"] == "spawned")
        for (i, node) in nodes.enumerated() {
            #expect(status.context["_outputs.\(node.id)"] == .int((i + 1) * 2))
            #expect(probe.count(node.id) == 1)
            #expect(returns[i]?.objectValue?["commit"] == "committed", "dynamic node \(node.id) ran as its own job")
        }
        #expect(probe.count("spawn") == 1)
        #expect(probe.count("right") == 1)
        // The record is gone once the spawner routed, as in memory (which keeps none).
        #expect(!fields.contains(DynamicNodes.recordKey(spawner: "spawn", iteration: 0)))
        // Bookkeeping never shows in the final status.
        #expect(status.context.keys.allSatisfy { !ContextKeys.isInternal($0) && !$0.hasPrefix("_dynamic.") })
    }

    @Test("the spawner routes by its own action after its dynamic nodes, like the in-memory engine")
    func actionRoutingMatchesInMemory() async throws {
        for action in ["left", "right"] {
            let nodes = [Self.dynamicNode("d1", value: 5), Self.dynamicNode("d2", value: 6)]
            let probe = Probe()
            let blueprint = Self.blueprint()
            let status = try await DistributedTestSupport.withWorker(
                blueprints: [blueprint], registry: Self.registry(probe, nodes: nodes, action: action),
                queue: DistributedTestSupport.uniqueQueue("dynamic-action")
            ) { workflows, _ in
                try await workflows.result(try await workflows.startWorkflow(blueprint), timeout: TestTiming.seconds(20))
            }
            let memory = try await FlowRuntime(blueprints: [blueprint], registry: Self.registry(Probe(), nodes: nodes, action: action))
                .run("dynamic")
            let other = action == "left" ? "right" : "left"
            #expect(status.status == .completed)
            #expect(status.context["_outputs.\(action)"] == [10, 12])
            #expect(status.context["_outputs.\(other)"] == nil)
            #expect(probe.count(other) == 0)
            #expect(memory.status == .completed)
            #expect(status.context == memory.context, "action \(action): the distributed context equals the in-memory one")
        }
    }

    @Test("a failing dynamic node retries, then fails the run naming it, as in memory; successors never run",
          arguments: [DistributedRetryMode.inProcess, .queue])
    func failingDynamicNode(retryMode: DistributedRetryMode) async throws {
        let probe = Probe()
        let nodes = [Self.dynamicNode("fine", value: 1),
                     Self.dynamicNode("bad", value: 2, uses: "broken", config: NodeConfig(maxRetries: 3, retryDelay: 5))]
        let blueprint = Self.blueprint()
        let status = try await DistributedTestSupport.withWorker(
            blueprints: [blueprint], registry: Self.registry(probe, nodes: nodes),
            queue: DistributedTestSupport.uniqueQueue("dynamic-fail"), retryMode: retryMode
        ) { workflows, _ in
            try await workflows.result(try await workflows.startWorkflow(blueprint), timeout: TestTiming.seconds(20))
        }
        let memory = try await FlowRuntime(blueprints: [blueprint], registry: Self.registry(Probe(), nodes: nodes)).run("dynamic")
        #expect(status.status == .failed)
        #expect(status.nodeID == "bad")
        #expect(status.attempts == 3)
        #expect(status.reason?.contains("node 'bad' failed after 3 attempts") == true, "\(status.reason ?? "")")
        #expect(probe.count("bad") == 3)
        #expect(probe.count("right") == 0)
        #expect(memory.status == .failed)
        #expect(memory.errors.first?.nodeID == status.nodeID)
        #expect(memory.errors.first?.attempts == status.attempts)
    }

    @Test("redelivered dynamic node and continuation jobs commit once; the spawner routes only after the last one")
    func redeliveryCommitsOnce() async throws {
        let blueprint = Self.blueprint()
        let fixture = try CompletionIdempotencyTests.Fixture(blueprint)
        defer { Task { await fixture.client.close() } }
        let plan = fixture.prepared.compiled
        let s = try #require(plan.nodeIndex["spawn"])
        let nodes = [Self.dynamicNode("d1", value: 1), Self.dynamicNode("d2", value: 2)]
        try await fixture.start()

        let spawner = NodeJobData(runID: fixture.runID, blueprintID: "dynamic", nodeID: "spawn")
        func commit(_ change: RunCommitter.Change) async throws -> RunCommitter.Outcome {
            try await fixture.committer.commit(runID: fixture.runID, blueprintID: "dynamic", version: nil, change)
        }
        func state() -> RedisWorkflowState { RedisWorkflowState(runID: fixture.runID, client: fixture.client, mode: .buffered) }
        let spawn = DynamicNodes.spawnChange(
            plan: plan, data: spawner, item: .node(s), result: NodeResult(output: "out", action: "left", dynamicNodes: nodes),
            state: state(), options: fixture.options)
        #expect(try await commit(spawn).code == "committed")
        #expect(try await commit(spawn).code == "duplicate")
        #expect(try await fixture.pending() == ["spawn~dynamic~d1#0", "spawn~dynamic~d2#0"])
        #expect(try await fixture.waitingNodes() == ["spawn", "d1", "d2"])

        func completeDynamic(_ i: Int) async throws -> RunCommitter.Outcome {
            let data = DynamicNodes.nodeJob(nodes[i], spawner: "spawn", count: nodes.count, data: spawner)
            return try await commit(DynamicNodes.nodeChange(data: data, output: .int(i * 10), state: state()))
        }
        #expect(try await completeDynamic(1).code == "committed")
        #expect(try await completeDynamic(1).code == "duplicate")
        // d2 arrived twice, d1 not at all: the spawner must not route yet.
        #expect(try await fixture.pending() == ["spawn~dynamic~d1#0"])
        let last = try await completeDynamic(0)
        #expect(last.code == "committed" && last.enqueued == 1)
        #expect(try await completeDynamic(0).code == "duplicate")
        #expect(try await fixture.pending() == ["spawn~dynamic-done#0"])
        #expect(try await fixture.waitingNodes() == ["spawn", "d1", "d2", "spawn"])

        let continuation = DynamicNodes.continuationJob(
            runID: fixture.runID, blueprintID: "dynamic", spawner: "spawn", iteration: 0, count: 2, fallbackFor: nil)
        let stored = try await RedisWorkflowState(runID: fixture.runID, client: fixture.client)
            .get(DynamicNodes.recordKey(spawner: "spawn", iteration: 0))
        let record = try #require(stored.flatMap(DynamicNodes.Record.init(json:)))
        #expect(record.action == "left" && record.output == "out" && record.nodes == nodes)
        let route = try await DynamicNodes.continuationChange(
            prepared: fixture.prepared, data: continuation, item: .node(s), record: record, state: state(), options: fixture.options)
        #expect(try await commit(route).code == "committed")
        #expect(try await commit(route).code == "duplicate")
        #expect(try await fixture.pending() == ["left#0"])
        #expect(try await fixture.waitingNodes() == ["spawn", "d1", "d2", "spawn", "left"])
        #expect(try await fixture.client.send(["SCARD", fixture.keys.done]).int == 4)
    }

    @Test("a redelivered dynamic node job is skipped once committed")
    func redeliveredJobIsSkipped() async throws {
        let probe = Probe()
        let nodes = [Self.dynamicNode("only", value: 3)]
        let blueprint = Self.blueprint()
        let queueName = DistributedTestSupport.uniqueQueue("dynamic-redeliver")
        let (status, again) = try await DistributedTestSupport.withWorker(
            blueprints: [blueprint], registry: Self.registry(probe, nodes: nodes), queue: queueName
        ) { workflows, client in
            let runID = try await workflows.startWorkflow(blueprint)
            let status = try await workflows.result(runID, timeout: TestTiming.seconds(20))
            // The same job delivered again (e.g. after a stalled lock) runs nothing and commits nothing.
            let executor = NodeJobExecutor(
                catalog: try BlueprintCatalog([blueprint]), registry: Self.registry(probe, nodes: nodes), client: client,
                options: DistributedOptions(queueName: queueName, stateTTLSeconds: 600))
            let spawner = NodeJobData(runID: runID, blueprintID: "dynamic", nodeID: "spawn")
            let data = DynamicNodes.nodeJob(nodes[0], spawner: "spawn", count: 1, data: spawner)
            let job = try #require(try await Queue(name: queueName, client: client).getJob(data.jobID))
            guard case .value(let value) = try await executor.process(job) else {
                Issue.record("a redelivered dynamic node job should not commit")
                return (status, JSONValue.null)
            }
            return (status, value)
        }
        #expect(status.status == .completed)
        #expect(status.context["_outputs.right"] == [6])
        #expect(probe.count("only") == 1)
        #expect(again.objectValue?["skipped"] != nil)
    }

    /// Dynamic node lists the engine must refuse, with the node the run fails at and the message.
    enum InvalidCase: String, CaseIterable, Sendable {
        case unknownUses, builtinUses, blueprintNodeID, duplicateIDs, emptyID, tooMany, tooLarge

        var nodes: [NodeDefinition] {
            switch self {
            case .unknownUses: [NodeDefinition(id: "x", uses: "nope")]
            case .builtinUses: [NodeDefinition(id: "w", uses: "wait")]
            case .blueprintNodeID: [NodeDefinition(id: "left", uses: "work")]
            case .duplicateIDs: [NodeDefinition(id: "a", uses: "work"), NodeDefinition(id: "a", uses: "work")]
            case .emptyID: [NodeDefinition(id: "", uses: "work")]
            case .tooMany: (0...DynamicNodes.maximumCount).map { NodeDefinition(id: "n\($0)", uses: "work") }
            case .tooLarge:
                (0..<8).map { NodeDefinition(id: "big\($0)", uses: "work", params: ["blob": .string(String(repeating: "x", count: 600_000))]) }
            }
        }

        var failedNode: String {
            switch self {
            case .unknownUses: "x"
            case .builtinUses: "w"
            default: "spawn"
            }
        }

        var message: String {
            switch self {
            case .unknownUses: "node 'x': no implementation registered for 'nope'"
            case .builtinUses: "node 'w': built-in 'wait' cannot run as a dynamic node"
            case .blueprintNodeID: "node 'spawn' returned dynamic node 'left', whose id is already a node of blueprint 'dynamic'"
            case .duplicateIDs: "node 'spawn' returned dynamic node id 'a' more than once"
            case .emptyID: "node 'spawn' returned a dynamic node with an empty id"
            case .tooMany: "node 'spawn' returned \(DynamicNodes.maximumCount + 1) dynamic nodes; at most \(DynamicNodes.maximumCount) are supported"
            case .tooLarge: "node 'spawn' returned dynamic nodes whose definitions exceed \(DynamicNodes.maximumEncodedBytes) bytes"
            }
        }
    }

    @Test("invalid dynamic nodes fail the run with a clear error naming the node", arguments: InvalidCase.allCases)
    func invalidDynamicNodes(_ invalid: InvalidCase) async throws {
        let (nodes, failedNode, message, name) = (invalid.nodes, invalid.failedNode, invalid.message, invalid.rawValue)
        let probe = Probe()
        let blueprint = Self.blueprint()
        let status = try await DistributedTestSupport.withWorker(
            blueprints: [blueprint], registry: Self.registry(probe, nodes: nodes),
            queue: DistributedTestSupport.uniqueQueue("dynamic-invalid")
        ) { workflows, _ in
            try await workflows.result(try await workflows.startWorkflow(blueprint), timeout: TestTiming.seconds(20))
        }
        #expect(status.status == .failed, "\(name)")
        #expect(status.nodeID == failedNode, "\(name)")
        #expect(status.reason?.contains(message) == true, "\(name): \(status.reason ?? "")")
        #expect(probe.count("right") == 0)
    }

    @Test("a fallback that returns dynamic nodes routes along the failed node's edges after them")
    func fallbackSpawner() async throws {
        let probe = Probe()
        let nodes = [Self.dynamicNode("d", value: 21)]
        let blueprint = WorkflowBlueprint(
            id: "dynamic-fallback",
            nodes: [NodeDefinition(id: "primary", uses: "broken", config: NodeConfig(fallback: "spawn")),
                    NodeDefinition(id: "spawn", uses: "spawner"), NodeDefinition(id: "right", uses: "collect")],
            edges: [EdgeDefinition(source: "primary", target: "right", action: "right")])
        let status = try await DistributedTestSupport.withWorker(
            blueprints: [blueprint], registry: Self.registry(probe, nodes: nodes),
            queue: DistributedTestSupport.uniqueQueue("dynamic-fallback")
        ) { workflows, _ in
            try await workflows.result(try await workflows.startWorkflow(blueprint), timeout: TestTiming.seconds(20))
        }
        #expect(status.status == .completed, "\(status.reason ?? "")")
        #expect(status.context["_outputs.right"] == [42])
        #expect(status.context["_outputs.primary"] == "spawned")
        #expect(probe.count("d") == 1)
    }

    @Test("the reconciler re-enqueues a lost dynamic node job, or a lost continuation, from the record its spawner stored",
          arguments: [false, true])
    func reconcilerRecoversLostDynamicWork(loseContinuation: Bool) async throws {
        let probe = Probe()
        let nodes = [Self.dynamicNode("d1", value: 1), Self.dynamicNode("d2", value: 2)]
        let blueprint = Self.blueprint()
        let fixture = try CompletionIdempotencyTests.Fixture(blueprint)
        defer { Task { await fixture.client.close() } }
        let plan = fixture.prepared.compiled
        try await fixture.start()
        // The spawner's commit happened, then the job of d1 was lost (a worker crashed, Redis lost it…).
        let spawner = NodeJobData(runID: fixture.runID, blueprintID: "dynamic", nodeID: "spawn")
        let spawn = DynamicNodes.spawnChange(
            plan: plan, data: spawner, item: .node(try #require(plan.nodeIndex["spawn"])),
            result: NodeResult(output: "spawned", action: "right", dynamicNodes: nodes),
            state: RedisWorkflowState(runID: fixture.runID, client: fixture.client, mode: .buffered), options: fixture.options)
        #expect(try await fixture.committer.commit(runID: fixture.runID, blueprintID: "dynamic", version: nil, spawn).code == "committed")
        func lose(_ jobID: String) async throws {
            _ = try await fixture.client.send(["LREM", fixture.queueKeys.wait, "0", jobID])
            _ = try await fixture.client.send(["DEL", fixture.queueKeys.job(jobID)])
        }
        var expectedRuns = ["d1": 1, "d2": 1]
        if loseContinuation {
            // Both dynamic nodes committed (their jobs are done); the continuation their last commit
            // enqueued was lost before any worker took it.
            for (i, node) in nodes.enumerated() {
                let data = DynamicNodes.nodeJob(node, spawner: "spawn", count: 2, data: spawner)
                let change = DynamicNodes.nodeChange(
                    data: data, output: .int((i + 1) * 2),
                    state: RedisWorkflowState(runID: fixture.runID, client: fixture.client, mode: .buffered))
                #expect(try await fixture.committer.commit(runID: fixture.runID, blueprintID: "dynamic", version: nil, change).code == "committed")
                try await lose(data.jobID)
                expectedRuns[node.id] = 0
            }
            #expect(try await fixture.pending() == ["spawn~dynamic-done#0"])
            try await lose(DynamicNodes.continuationJob(
                runID: fixture.runID, blueprintID: "dynamic", spawner: "spawn", iteration: 0, count: 2, fallbackFor: nil).jobID)
        } else {
            try await lose(DynamicNodes.nodeJob(nodes[0], spawner: "spawn", count: 2, data: spawner).jobID)
        }
        // The start job of `spawn` already ran in this story: drop it so only the dynamic jobs remain.
        let start = NodeJobData(runID: fixture.runID, blueprintID: "dynamic", nodeID: "spawn").jobID
        _ = try await fixture.client.send(["LREM", fixture.queueKeys.wait, "0", start])

        let catalog = try BlueprintCatalog([blueprint])
        let reconciler = WorkflowReconciler(client: fixture.client, catalog: catalog, options: fixture.options, stalledThresholdSeconds: 600)
        _ = try await fixture.client.send(["ZADD", DistributedKeys.activeRuns(queue: fixture.options.queueName), "1", fixture.runID])
        let stats = try await reconciler.run()
        #expect(stats.reconciledRuns == 1 && stats.failedRuns == 0)

        let worker = try DistributedWorker(
            catalog: catalog, registry: Self.registry(probe, nodes: nodes), client: fixture.client, options: fixture.options,
            workerOptions: WorkerOptions(concurrency: 4, drainDelay: 0.2))
        worker.start()
        let status = try await WorkflowClient(client: fixture.client, catalog: catalog, options: fixture.options)
            .result(fixture.runID, timeout: TestTiming.seconds(20))
        await worker.close()
        #expect(status.status == .completed)
        #expect(status.context["_outputs.right"] == [2, 4])
        #expect(probe.count("d1") == expectedRuns["d1"] && probe.count("d2") == expectedRuns["d2"] && probe.count("spawn") == 0)
        #expect(probe.count("right") == 1)
        // spawn, d1, d2, the continuation, right.
        #expect(try await fixture.client.send(["SCARD", fixture.keys.done]).int == 5)
    }

    @Test("a spawner inside a loop runs its dynamic nodes in every iteration, as in memory")
    func spawnerInLoop() async throws {
        func registry(_ probe: Probe) -> NodeRegistry {
            var registry = Self.registry(probe, nodes: [Self.dynamicNode("d", value: 0)])
            registry.register("counting-spawner") { ctx in
                let count = (try await ctx.state.get("count")?.intValue ?? 0) + 1
                try await ctx.state.set("count", .int(count))
                return NodeResult(output: .int(count), dynamicNodes: [Self.dynamicNode("d", value: count)])
            }
            return registry
        }
        let probe = Probe()
        let memoryProbe = Probe()
        let blueprint = WorkflowBlueprint(
            id: "dynamic-loop",
            nodes: [NodeDefinition(id: "start", uses: "work"), NodeDefinition(id: "body", uses: "counting-spawner"),
                    NodeDefinition(id: "loop", uses: "loop-controller", params: ["condition": "count < 3"]),
                    NodeDefinition(id: "done", uses: "collect")],
            edges: [EdgeDefinition(source: "start", target: "body"), EdgeDefinition(source: "body", target: "loop"),
                    EdgeDefinition(source: "loop", target: "body", action: "continue"),
                    EdgeDefinition(source: "loop", target: "done", action: "break")])
        let status = try await DistributedTestSupport.withWorker(
            blueprints: [blueprint], registry: registry(probe), queue: DistributedTestSupport.uniqueQueue("dynamic-loop")
        ) { workflows, _ in
            try await workflows.result(try await workflows.startWorkflow(blueprint), timeout: TestTiming.seconds(20))
        }
        let memory = try await FlowRuntime(blueprints: [blueprint], registry: registry(memoryProbe)).run("dynamic-loop")
        #expect(status.status == .completed, "\(status.reason ?? "")")
        #expect(probe.count("d") == 3)
        #expect(memoryProbe.count("d") == 3)
        #expect(status.context["_outputs.done"] == [6])
        #expect(status.context == memory.context)
    }

    @Test("two nodes returning dynamic nodes with the same id each run theirs and route after them")
    func sameIDFromTwoSpawners() async throws {
        let probe = Probe()
        let nodes = [Self.dynamicNode("shared", value: 1)]
        let blueprint = WorkflowBlueprint(
            id: "dynamic-twice",
            nodes: [NodeDefinition(id: "s1", uses: "spawner"), NodeDefinition(id: "s2", uses: "spawner"),
                    NodeDefinition(id: "join", uses: "collect")],
            edges: [EdgeDefinition(source: "s1", target: "join", action: "right"),
                    EdgeDefinition(source: "s2", target: "join", action: "right")])
        let status = try await DistributedTestSupport.withWorker(
            blueprints: [blueprint], registry: Self.registry(probe, nodes: nodes),
            queue: DistributedTestSupport.uniqueQueue("dynamic-twice")
        ) { workflows, _ in
            try await workflows.result(try await workflows.startWorkflow(blueprint), timeout: TestTiming.seconds(20))
        }
        #expect(status.status == .completed, "\(status.reason ?? "")")
        #expect(probe.count("shared") == 2)
        #expect(probe.count("join") == 1)
        #expect(status.context["_outputs.join"] == [2])
    }

    @Test("job data of dynamic nodes round-trips; malformed data is rejected with a reason")
    func jobData() throws {
        let spawner = NodeJobData(runID: "r", blueprintID: "b", nodeID: "spawn", iteration: 2, fallbackFor: "primary")
        let node = Self.dynamicNode("d", value: 4, config: NodeConfig(maxRetries: 2))
        let data = DynamicNodes.nodeJob(node, spawner: "spawn", count: 3, data: spawner)
        #expect(try NodeJobData(json: data.json) == data)
        #expect(data.instance.description == "spawn~dynamic~d#2")
        let continuation = DynamicNodes.continuationJob(
            runID: "r", blueprintID: "b", spawner: "spawn", iteration: 2, count: 3, fallbackFor: "primary")
        #expect(try NodeJobData(json: continuation.json) == continuation)
        #expect(continuation.instance.description == "spawn~dynamic-done#2")
        #expect(continuation.jobID != data.jobID)

        let base: [String: JSONValue] = ["runId": "r", "blueprintId": "b", "nodeId": "d", "dynamicOf": "spawn"]
        let malformed: [[String: JSONValue]] = [
            base.merging(["dynamicCount": 0]) { $1 },
            base.merging(["dynamicCount": 1]) { $1 },
            base.merging(["dynamicCount": 1, "dynamicNode": ["id": "other", "uses": "work"]]) { $1 },
            base.merging(["dynamicCount": 1, "dynamicNode": "not a node"]) { $1 },
            base.merging(["dynamicCount": .int(DynamicNodes.maximumCount + 1), "dynamicNode": ["id": "d", "uses": "work"]]) { $1 },
            base.merging(["dynamicCount": 1, "afterDynamic": true]) { $1 },
        ]
        for members in malformed {
            #expect(throws: DistributedError.self, "\(members)") { try NodeJobData(json: .object(members)) }
        }
    }
}

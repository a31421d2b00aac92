import Foundation
import Synchronization
import Flowcraft
@testable import FlowcraftRedis
import Testing

/// Subflows in the distributed engine: each child is a distributed run of its own
/// (`<parent>/<node>#<iteration>`) whose nodes are ordinary jobs on the same queue.
@Suite("Distributed subflows", .requiresRedis)
struct DistributedSubflowTests {
    typealias Support = DistributedTestSupport

    // MARK: - Blueprints

    /// `sub` (subflow of `child`, with `params`) → `after`; `sub` may have a fallback `rescue`.
    static func parent(
        id: String = "parent", child: String, params: [String: JSONValue] = [:], fallback: Bool = false
    ) -> WorkflowBlueprint {
        var subParams = params
        subParams["blueprintId"] = .string(child)
        var nodes = [
            NodeDefinition(id: "sub", uses: "subflow", params: subParams, config: NodeConfig(fallback: fallback ? "rescue" : nil)),
            NodeDefinition(id: "after", uses: "echo"),
        ]
        if fallback { nodes.append(NodeDefinition(id: "rescue", uses: "rescue")) }
        return WorkflowBlueprint(id: id, nodes: nodes, edges: [EdgeDefinition(source: "sub", target: "after")])
    }

    /// `ask` (wait) → `verdict` on `approve`, → `refusal` on `reject`.
    static let review = WorkflowBlueprint(
        id: "review",
        nodes: [
            NodeDefinition(id: "ask", uses: "wait"), NodeDefinition(id: "verdict", uses: "verdict"),
            NodeDefinition(id: "refusal", uses: "echo"),
        ],
        edges: [
            EdgeDefinition(source: "ask", target: "verdict", action: "approve"),
            EdgeDefinition(source: "ask", target: "refusal", action: "reject"),
        ])

    /// A child of one node of `uses`.
    static func single(_ id: String, uses: String) -> WorkflowBlueprint {
        WorkflowBlueprint(id: id, nodes: [NodeDefinition(id: "work", uses: uses)], edges: [])
    }

    /// `echo` passes its input on; `verdict` answers who approved and the mapped `value`; `tag`
    /// answers the worker's name; `rescue` answers "rescued"; `boom` fails.
    static func registry(worker: String = "w", probe: SubflowProbe = SubflowProbe()) -> NodeRegistry {
        var registry = NodeRegistry()
        registry.register("echo") { ctx in NodeResult(output: ctx.input) }
        registry.register("verdict") { ctx in
            NodeResult(output: ["by": ctx.input, "value": try await ctx.state.get("value") ?? .null])
        }
        registry.register("tag") { _ in
            probe.count("tag")
            return NodeResult(output: .string(worker))
        }
        registry.register("rescue") { _ in NodeResult(output: "rescued") }
        registry.register("boom") { _ in
            probe.count("boom")
            throw DistributedError("boom")
        }
        registry.register("gated") { ctx in
            probe.count("gated")
            while !probe.isOpen {
                do {
                    try await Task.sleep(for: .milliseconds(10))
                } catch {
                    probe.count("gated-cancelled")
                    throw error
                }
            }
            return NodeResult(output: .string("gated-\(ctx.nodeID)"))
        }
        return registry
    }

    static func childID(_ runID: String, _ node: String = "sub") -> String {
        SubflowParentLink.childRunID(parent: runID, node: NodeInstance(node))
    }

    /// Polls until `condition` holds (at most ~20 s); false when it never did.
    static func eventually(_ condition: @Sendable () async throws -> Bool) async throws -> Bool {
        for _ in 0..<2000 {
            if try await condition() { return true }
            try await Task.sleep(for: .milliseconds(10))
        }
        return false
    }

    // MARK: - Tests

    @Test("a wait inside the child: parent awaiting, resume(parent, action:) routes in the child, outputs are mapped")
    func waitResumeThroughParent() async throws {
        let blueprints = [
            Self.parent(child: "review", params: ["inputs": ["value": "amount"], "outputs": ["decision": "verdict"]]),
            Self.review,
        ]
        let (paused, childPaused, final) = try await Support.withWorker(
            blueprints: blueprints, registry: Self.registry(), queue: Support.uniqueQueue("subwait")
        ) { workflows, _ in
            let runID = try await workflows.startWorkflow(blueprintID: "parent", context: ["amount": 21])
            let paused = try await workflows.result(runID, timeout: TestTiming.seconds(20))
            let childPaused = try await workflows.status(Self.childID(runID))
            try await workflows.resume(runID, action: "approve", output: "ann")
            return (paused, childPaused, try await workflows.result(runID, timeout: TestTiming.seconds(20)))
        }
        #expect(paused.status == .awaiting)
        #expect(childPaused?.status == .awaiting)
        #expect(final.status == .completed)
        let decision: JSONValue = ["by": "ann", "value": 21]
        #expect(final.context["decision"] == decision)
        #expect(final.context["_outputs.after"]?["_outputs.verdict"] == decision)
        #expect(final.context["_outputs.refusal"] == nil)
    }

    @Test("resuming the child run by its own id continues the parent too")
    func resumeChildDirectly() async throws {
        let blueprints = [Self.parent(child: "review"), Self.review]
        let (statusAfterResume, final) = try await Support.withWorker(
            blueprints: blueprints, registry: Self.registry(), queue: Support.uniqueQueue("subchild")
        ) { workflows, _ in
            let runID = try await workflows.startWorkflow(blueprintID: "parent")
            #expect(try await workflows.result(runID, timeout: TestTiming.seconds(20)).status == .awaiting)
            try await workflows.resume(Self.childID(runID), nodeID: "ask", action: "reject", output: "no")
            // The parent left `awaiting` with the resume: it is running until the child reports.
            let statusAfterResume = try await workflows.status(runID)
            return (statusAfterResume, try await workflows.result(runID, timeout: TestTiming.seconds(20)))
        }
        #expect(statusAfterResume?.status == .running || statusAfterResume?.status == .completed)
        #expect(final.status == .completed)
        // No output mapping: the output is every terminal's output.
        #expect(final.context["_outputs.sub"] == ["verdict": nil, "refusal": "no"])
        #expect(final.context["_outputs.after"] == ["verdict": nil, "refusal": "no"])
    }

    @Test("the child's nodes run on another worker than the one whose job started the child")
    func childRunsOnAnotherWorker() async throws {
        let blueprints = [
            Self.parent(child: "tagged"),
            WorkflowBlueprint(
                id: "tagged", nodes: [NodeDefinition(id: "ask", uses: "wait"), NodeDefinition(id: "work", uses: "tag")],
                edges: [EdgeDefinition(source: "ask", target: "work")]),
        ]
        let queue = Support.uniqueQueue("subworkers")
        let options = DistributedOptions(queueName: queue, stateTTLSeconds: 600)
        let clientA = try TestRedis.client()
        let clientB = try TestRedis.client()
        let workerA = try DistributedWorker(
            blueprints: blueprints, registry: Self.registry(worker: "A"), client: clientA, options: options,
            workerOptions: WorkerOptions(concurrency: 4, drainDelay: 0.2))
        let workerB = try DistributedWorker(
            blueprints: blueprints, registry: Self.registry(worker: "B"), client: clientB, options: options,
            workerOptions: WorkerOptions(concurrency: 4, drainDelay: 0.2))
        let workflows = try WorkflowClient(client: clientB, blueprints: blueprints, options: options)
        workerA.start()
        let runID = try await workflows.startWorkflow(blueprintID: "parent")
        let paused = try await workflows.result(runID, timeout: TestTiming.seconds(20))
        // Only worker A ran so far: it ran the parent's subflow job, which started the child.
        await workerA.close()
        await clientA.close()
        workerB.start()
        try await workflows.resume(runID)
        let final = try await workflows.result(runID, timeout: TestTiming.seconds(20))
        let child = try await workflows.status(Self.childID(runID))
        await workerB.close()
        await clientB.close()
        #expect(paused.status == .awaiting)
        #expect(final.status == .completed)
        #expect(child?.context["_outputs.work"] == "B")
        #expect(final.context["_outputs.sub"] == "B")
        #expect(final.context["_outputs.after"] == "B")
    }

    @Test("a parent job redelivered while its child runs starts no second child; the reconciler leaves the parent alone")
    func redeliveredParentJobStartsNoSecondChild() async throws {
        let probe = SubflowProbe()
        let blueprints = [Self.parent(child: "slow"), Self.single("slow", uses: "gated")]
        let queueName = Support.uniqueQueue("subredeliver")
        let (replies, final, childStarts) = try await Support.withWorker(
            blueprints: blueprints, registry: Self.registry(probe: probe), queue: queueName
        ) { workflows, client in
            let runID = try await workflows.startWorkflow(blueprintID: "parent")
            #expect(try await Self.eventually { probe.counter("gated") == 1 })
            // The parent's subflow job again, as a redelivery would bring it.
            let queue = try Queue(name: queueName, client: client)
            let data = NodeJobData(runID: runID, blueprintID: "parent", nodeID: "sub")
            let id = try await queue.add(name: "executeNode", data: data.json, options: JobOptions(jobId: data.jobID + ".again"))
            #expect(try await Self.eventually { try await queue.getJob(id)?.returnValue != nil })
            let replies = [try await queue.getJob(id)?.returnValue].compactMap { $0 }
            // A reconciler that finds the parent idle leaves it alone: its child runs.
            let reconciler = WorkflowReconciler(
                client: client, catalog: workflows.catalog, options: workflows.options, stalledThresholdSeconds: 0)
            let stats = try await reconciler.run()
            #expect(stats.stalledRuns == 2)
            #expect(stats.failedRuns == 0)
            #expect(stats.reconciledRuns == 0)
            let childStarts = try await client.send(["HGET", DistributedKeys(runID: Self.childID(runID)).run, "startedAt"]).string
            probe.open()
            return (replies, try await workflows.result(runID, timeout: TestTiming.seconds(20)), childStarts)
        }
        #expect(replies.first?["child"] == "running")
        #expect(childStarts != nil)
        #expect(final.status == .completed)
        #expect(final.context["_outputs.sub"] == "gated-work")
        #expect(probe.counter("gated") == 1)
    }

    @Test("a child's news lost with its job (Redis data loss) is recovered by the reconciler, and the parent completes")
    func lostNotificationReconciled() async throws {
        let probe = SubflowProbe()
        let blueprints = [Self.parent(child: "slow"), Self.single("slow", uses: "gated")]
        let queueName = Support.uniqueQueue("sublost")
        // The parent's jobs are served by a worker that stops before the child ends, so the child's
        // notification waits in the queue, where it is then lost.
        let final = try await Support.withWorker(
            blueprints: blueprints, registry: Self.registry(probe: probe), queue: queueName
        ) { workflows, client in
            let runID = try await workflows.startWorkflow(blueprintID: "parent")
            #expect(try await Self.eventually { probe.counter("gated") == 1 })
            let queue = try Queue(name: queueName, client: client)
            try await queue.pause()
            probe.open()
            let childID = Self.childID(runID)
            #expect(try await Self.eventually { try await workflows.status(childID)?.status == .completed })
            // The notification job is waiting: lose it, as a Redis without persistence would.
            let keys = QueueKeys(prefix: "bull", queueName: queueName)
            let waiting = try await client.send(["LRANGE", keys.wait, "0", "-1"]).array?.compactMap(\.string) ?? []
            #expect(waiting.count == 1)
            #expect(waiting.first?.contains(".child-completed.") == true)
            for id in waiting {
                _ = try await client.pipeline([["LREM", keys.wait, "0", id], ["DEL", keys.job(id)]])
            }
            try await queue.resume()
            let reconciler = WorkflowReconciler(
                client: client, catalog: workflows.catalog, options: workflows.options, stalledThresholdSeconds: 0)
            let stats = try await reconciler.run()
            #expect(stats.reconciledRuns == 1)
            return try await workflows.result(runID, timeout: TestTiming.seconds(20))
        }
        #expect(final.status == .completed)
        #expect(final.context["_outputs.after"] == "gated-work")
    }

    @Test("a subflow node left parked while its child runs (a crossed resume) is taken out by its next job")
    func parkedNodeFollowsRunningChild() async throws {
        let probe = SubflowProbe()
        let blueprints = [
            Self.parent(child: "paused-then-slow"),
            WorkflowBlueprint(
                id: "paused-then-slow",
                nodes: [NodeDefinition(id: "ask", uses: "wait"), NodeDefinition(id: "work", uses: "gated")],
                edges: [EdgeDefinition(source: "ask", target: "work")]),
        ]
        let queueName = Support.uniqueQueue("subcrossed")
        let (parked, healed, final) = try await Support.withWorker(
            blueprints: blueprints, registry: Self.registry(probe: probe), queue: queueName
        ) { workflows, client in
            let runID = try await workflows.startWorkflow(blueprintID: "parent")
            #expect(try await workflows.result(runID, timeout: TestTiming.seconds(20)).status == .awaiting)
            try await workflows.resume(runID)
            #expect(try await Self.eventually { probe.counter("gated") == 1 })
            // What a subflow job that read the child as awaiting before the resume would leave.
            let keys = DistributedKeys(runID: runID)
            _ = try await client.pipeline([["SADD", keys.awaiting, "sub#0"], ["HSET", keys.run, "status", "awaiting"]])
            let parked = try await workflows.status(runID)?.status
            let data = NodeJobData(runID: runID, blueprintID: "parent", nodeID: "sub")
            let id = try await Queue(name: queueName, client: client).add(
                name: "executeNode", data: data.json, options: JobOptions(jobId: data.jobID + ".check"))
            #expect(try await Self.eventually { try await Queue(name: queueName, client: client).getState(id) == .completed })
            let healed = try await workflows.status(runID)?.status
            probe.open()
            return (parked, healed, try await workflows.result(runID, timeout: TestTiming.seconds(20)))
        }
        #expect(parked == .awaiting)
        #expect(healed == .running)
        #expect(final.status == .completed)
        #expect(final.context["_outputs.after"] == "gated-work")
    }

    @Test("a failing child fails the subflow node: its fallback takes over the node's edges")
    func failingChildRunsFallback() async throws {
        let probe = SubflowProbe()
        let blueprints = [Self.parent(child: "broken", fallback: true), Self.single("broken", uses: "boom")]
        let (final, child) = try await Support.withWorker(
            blueprints: blueprints, registry: Self.registry(probe: probe), queue: Support.uniqueQueue("subfail")
        ) { workflows, _ in
            let runID = try await workflows.startWorkflow(blueprintID: "parent")
            let final = try await workflows.result(runID, timeout: TestTiming.seconds(20))
            return (final, try await workflows.status(Self.childID(runID)))
        }
        #expect(child?.status == .failed)
        #expect(final.status == .completed)
        #expect(final.context["_outputs.rescue"] == "rescued")
        #expect(final.context["_outputs.after"] == "rescued")
        #expect(probe.counter("boom") == 1)
    }

    @Test("a failing child without a fallback fails the parent with the child's reason")
    func failingChildFailsParent() async throws {
        let blueprints = [Self.parent(child: "broken"), Self.single("broken", uses: "boom")]
        let final = try await Support.withWorker(
            blueprints: blueprints, registry: Self.registry(), queue: Support.uniqueQueue("subfail2")
        ) { workflows, _ in
            try await workflows.result(try await workflows.startWorkflow(blueprintID: "parent"), timeout: TestTiming.seconds(20))
        }
        #expect(final.status == .failed)
        #expect(final.nodeID == "sub")
        #expect(final.reason?.contains("subflow 'broken' failed") == true)
        #expect(final.reason?.contains("boom") == true)
    }

    @Test("nested subflows: a wait two levels down pauses the top run; resuming the top routes to it")
    func nestedSubflows() async throws {
        let blueprints = [
            Self.parent(id: "top", child: "middle"),
            WorkflowBlueprint(
                id: "middle",
                nodes: [
                    NodeDefinition(id: "inner", uses: "subflow", params: ["blueprintId": "leaf"]),
                    NodeDefinition(id: "tail", uses: "echo"),
                ],
                edges: [EdgeDefinition(source: "inner", target: "tail")]),
            WorkflowBlueprint(
                id: "leaf", nodes: [NodeDefinition(id: "ask", uses: "wait"), NodeDefinition(id: "work", uses: "echo")],
                edges: [EdgeDefinition(source: "ask", target: "work")]),
        ]
        let (paused, leafAwaiting, final, leaf) = try await Support.withWorker(
            blueprints: blueprints, registry: Self.registry(), queue: Support.uniqueQueue("subnested")
        ) { workflows, client in
            let runID = try await workflows.startWorkflow(blueprintID: "top")
            let paused = try await workflows.result(runID, timeout: TestTiming.seconds(20))
            let leafID = SubflowParentLink.childRunID(parent: Self.childID(runID), node: NodeInstance("inner"))
            let leafAwaiting = try await client.send(["SMEMBERS", DistributedKeys(runID: leafID).awaiting]).array?.compactMap(\.string)
            try await workflows.resume(runID, output: "go")
            let final = try await workflows.result(runID, timeout: TestTiming.seconds(20))
            return (paused, leafAwaiting, final, try await workflows.status(leafID))
        }
        #expect(paused.status == .awaiting)
        #expect(leafAwaiting == ["ask#0"])
        #expect(leaf?.status == .completed)
        #expect(final.status == .completed)
        #expect(final.context["_outputs.sub"] == "go")
        #expect(final.context["_outputs.after"] == "go")
    }

    @Test("a subflow that calls itself fails once nesting passes maximumSubflowDepth, and the failure propagates up")
    func depthLimit() async throws {
        let recursive = WorkflowBlueprint(
            id: "again", nodes: [NodeDefinition(id: "sub", uses: "subflow", params: ["blueprintId": "again"])], edges: [])
        let queue = Support.uniqueQueue("subdepth")
        let options = DistributedOptions(queueName: queue, stateTTLSeconds: 600, maximumSubflowDepth: 3)
        let client = try TestRedis.client()
        let worker = try DistributedWorker(
            blueprints: [recursive], registry: Self.registry(), client: client, options: options,
            workerOptions: WorkerOptions(concurrency: 4, drainDelay: 0.2))
        worker.start()
        let workflows = try WorkflowClient(client: client, blueprints: [recursive], options: options)
        let runID = try await workflows.startWorkflow(blueprintID: "again")
        let top = try await workflows.result(runID, timeout: TestTiming.seconds(20))
        var deepest = runID
        for _ in 0..<3 { deepest = Self.childID(deepest) }
        let deepestStatus = try await workflows.status(deepest)
        let beyond = try await workflows.status(Self.childID(deepest))
        await worker.close()
        await client.close()
        #expect(deepestStatus?.status == .failed)
        #expect(deepestStatus?.reason?.contains("subflows nest deeper than 3 levels") == true)
        #expect(beyond == nil)
        #expect(top.status == .failed)
        #expect(top.reason?.contains("subflow 'again' failed") == true)
    }

    @Test("the resume script takes a parked subflow node out of awaiting, but not while its child is awaiting")
    func resumeScriptRespectsChild() async throws {
        let client = try TestRedis.client()
        let options = DistributedOptions(queueName: Support.uniqueQueue("subscript"))
        let parentID = "subscript-\(UUID().uuidString)"
        let node = NodeInstance("sub")
        let childID = Self.childID(parentID)
        let parentKeys = DistributedKeys(runID: parentID)
        let childKeys = DistributedKeys(runID: childID)
        _ = try await client.pipeline([
            ["HSET", parentKeys.run, "status", "awaiting"], ["SADD", parentKeys.awaiting, "sub#0"],
            ["SADD", parentKeys.pending, "sub#0"], ["HSET", childKeys.run, "status", "awaiting"],
        ])
        let whileChildAwaits = try await SubflowResumeScript.resume(
            runID: parentID, node: node, ifChildNotAwaiting: childID, client: client, options: options)
        let parentWhileChildAwaits = try await client.send(["HGET", parentKeys.run, "status"]).string
        _ = try await client.send(["HSET", childKeys.run, "status", "running"])
        let onceChildRuns = try await SubflowResumeScript.resume(
            runID: parentID, node: node, ifChildNotAwaiting: childID, client: client, options: options)
        let parentOnceChildRuns = try await client.send(["HGET", parentKeys.run, "status"]).string
        let awaiting = try await client.send(["SCARD", parentKeys.awaiting]).int
        let again = try await SubflowResumeScript.resume(
            runID: parentID, node: node, client: client, options: options)
        _ = try await client.send(["HSET", parentKeys.run, "status", "cancelled"])
        let ended = try await SubflowResumeScript.resume(
            runID: parentID, node: node, client: client, options: options)
        _ = try await client.pipeline([
            ["DEL", parentKeys.run, parentKeys.awaiting, parentKeys.pending, childKeys.run],
            ["ZREM", DistributedKeys.activeRuns(queue: options.queueName), parentID],
        ])
        await client.close()
        #expect(whileChildAwaits == .childAwaiting)
        #expect(parentWhileChildAwaits == "awaiting")
        #expect(onceChildRuns == .resumed)
        #expect(parentOnceChildRuns == "running")
        #expect(awaiting == 0)
        #expect(again == .notAwaiting)
        #expect(ended == .ended(.cancelled))
    }

    @Test("a subflow in a loop body starts one child per iteration, each with that iteration's inputs")
    func subflowInLoop() async throws {
        let blueprints = [
            WorkflowBlueprint(
                id: "looping",
                nodes: [
                    NodeDefinition(id: "begin", uses: "echo"),
                    NodeDefinition(
                        id: "body", uses: "subflow",
                        params: ["blueprintId": "inc", "inputs": ["n": "count"], "outputs": ["count": "next"]]),
                    NodeDefinition(id: "loop", uses: "loop-controller", params: ["condition": "count < 3"]),
                    NodeDefinition(id: "done", uses: "echo"),
                ],
                edges: [
                    EdgeDefinition(source: "begin", target: "body"), EdgeDefinition(source: "body", target: "loop"),
                    EdgeDefinition(source: "loop", target: "body", action: "continue"),
                    EdgeDefinition(source: "loop", target: "done", action: "break"),
                ]),
            Self.single("inc", uses: "increment").withNodeID("next"),
        ]
        var registry = Self.registry()
        registry.register("increment") { ctx in NodeResult(output: .int((try await ctx.state.get("n"))?.intValue.map { $0 + 1 } ?? -1)) }
        let (final, children) = try await Support.withWorker(
            blueprints: blueprints, registry: registry, queue: Support.uniqueQueue("subloop")
        ) { workflows, _ in
            let runID = try await workflows.startWorkflow(blueprintID: "looping", context: ["count": 0])
            let final = try await workflows.result(runID, timeout: TestTiming.seconds(20))
            var children: [DistributedRunStatus?] = []
            for iteration in 0...3 {
                let id = SubflowParentLink.childRunID(parent: runID, node: NodeInstance("body", iteration: iteration))
                children.append(try await workflows.status(id))
            }
            return (final, children)
        }
        #expect(final.status == .completed)
        #expect(final.context["count"] == 3)
        #expect(children.prefix(3).map { $0?.status } == [.completed, .completed, .completed])
        #expect(children.prefix(3).map { $0?.context["n"] } == [0, 1, 2])
        #expect(children[3] == nil)
    }

    /// Starts `parent` (its child's node waits until cancelled), cancels it through the client
    /// `canceller` returns, and returns the parent's and the child's final status.
    private static func cancelledParentAndChild(
        _ probe: SubflowProbe, queue: String,
        canceller: @escaping @Sendable (WorkflowClient, RedisClient) -> WorkflowClient = { workflows, _ in workflows }
    ) async throws -> (parent: DistributedRunStatus, child: DistributedRunStatus) {
        let blueprints = [Self.parent(child: "slow"), Self.single("slow", uses: "gated")]
        return try await Support.withWorker(
            blueprints: blueprints, registry: Self.registry(probe: probe), queue: Support.uniqueQueue(queue)
        ) { workflows, client in
            let runID = try await workflows.startWorkflow(blueprintID: "parent")
            #expect(try await Self.eventually { probe.counter("gated") == 1 })
            try await canceller(workflows, client).cancel(runID, reason: "stop")
            #expect(try await Self.eventually { probe.counter("gated-cancelled") == 1 })
            let parent = try await workflows.result(runID, timeout: TestTiming.seconds(20))
            return (parent, try await workflows.result(Self.childID(runID), timeout: TestTiming.seconds(20)))
        }
    }

    @Test("cancelling the parent cancels its running child and stops the child's node")
    func cancelParentStopsChild() async throws {
        let probe = SubflowProbe()
        let (parent, child) = try await Self.cancelledParentAndChild(probe, queue: "subcancel")
        #expect(parent.status == .cancelled)
        #expect(child.status == .cancelled)
        #expect(child.reason == "stop")
        #expect(probe.counter("gated") == 1)
    }

    @Test("a client without the blueprints (flowcraft cancel without --blueprints) cancels the child too")
    func cancelWithoutBlueprintsStopsChild() async throws {
        // Found by review: without the blueprints the children were not found, and kept running.
        let (parent, child) = try await Self.cancelledParentAndChild(SubflowProbe(), queue: "subcancel-nobp") { workflows, client in
            WorkflowClient(client: client, catalog: BlueprintCatalog(), options: workflows.options)
        }
        #expect(parent.status == .cancelled)
        #expect(child.status == .cancelled)
    }

    @Test("the cascade of a parent's end cancels the child only while the parent has ended: one arriving after the parent runs again (a redrive started the child anew) leaves the child alone")
    func staleCascadeLeavesChildAlone() async throws {
        let blueprints = [Self.parent(child: "review"), Self.review]
        let (whileAwaiting, afterEnd) = try await Support.withWorker(
            blueprints: blueprints, registry: Self.registry(), queue: Support.uniqueQueue("substale")
        ) { workflows, _ in
            let runID = try await workflows.startWorkflow(blueprintID: "parent")
            #expect(try await workflows.result(runID, timeout: TestTiming.seconds(20)).status == .awaiting)
            let canceller = RunCanceller(client: workflows.client, catalog: workflows.catalog, committer: workflows.committer)
            let plan = try workflows.catalog.blueprint(id: "parent", version: nil)
            let pending = [NodeInstance("sub").description]
            // What a worker does after committing its run's failure, arriving late: the parent runs
            // (awaits its child) again by now.
            try await canceller.cancelChildren(of: runID, plan: plan, pending: pending, reason: "parent run '\(runID)' failed")
            let whileAwaiting = try await workflows.status(Self.childID(runID))
            // The parent ended (cancelled without its cascade): now the cascade cancels the child.
            _ = try await workflows.committer.commit(
                runID: runID, blueprintID: "parent", version: nil, RunCommitter.Change(mode: .cancel, reason: "ended"))
            try await canceller.cancelChildren(of: runID, plan: plan, pending: pending, reason: "parent run '\(runID)' cancelled")
            return (whileAwaiting, try await workflows.status(Self.childID(runID)))
        }
        #expect(whileAwaiting?.status == .awaiting)
        #expect(afterEnd?.status == .cancelled)
    }

    /// The cascade read the old child, then a redrive deleted it before the cascade's cancel
    /// committed: the cancel must not create a cancelled run under the id the redriven subflow node
    /// is about to start its new child with (it did: the new child then found itself cancelled, and
    /// cancelled the redriven parent, with no error; seen once in about 120 runs of the redrive
    /// scenario under load).
    @Test("a cascade's cancel, or a late node commit, of a child whose keys are gone creates nothing")
    func cascadeToDeletedChildCreatesNothing() async throws {
        let blueprints = [Self.parent(child: "review"), Self.review]
        let (outcome, runExists, statusKey) = try await Support.withWorker(
            blueprints: blueprints, registry: Self.registry(), queue: Support.uniqueQueue("subgone")
        ) { workflows, client in
            let parentID = "gone-parent-\(UUID().uuidString)"
            let childID = Self.childID(parentID)
            let outcome = try await workflows.committer.commit(
                runID: childID, blueprintID: "review", version: nil,
                RunCommitter.Change(mode: .cancelChild, reason: "parent run '\(parentID)' failed"))
            // A node job of the old child that was taken before the redrive and commits after it.
            let lateNode = try await workflows.committer.commit(
                runID: childID, blueprintID: "review", version: nil,
                RunCommitter.Change(mode: .advance, instance: NodeInstance("verdict").description))
            #expect(lateNode.commit == .gone)
            let keys = DistributedKeys(runID: childID)
            return (
                outcome, try await client.send(["EXISTS", keys.run, keys.pending, keys.done]).int,
                try await client.send(["GET", keys.status]).string
            )
        }
        #expect(outcome.commit == .gone)
        #expect(runExists == 0)
        #expect(statusKey == nil)
    }

    @Test("a cancelled child cancels its parent, as in the in-memory engine")
    func cancelledChildCancelsParent() async throws {
        let probe = SubflowProbe()
        let blueprints = [Self.parent(child: "slow"), Self.single("slow", uses: "gated")]
        let final = try await Support.withWorker(
            blueprints: blueprints, registry: Self.registry(probe: probe), queue: Support.uniqueQueue("subcancel2")
        ) { workflows, _ in
            let runID = try await workflows.startWorkflow(blueprintID: "parent")
            #expect(try await Self.eventually { probe.counter("gated") == 1 })
            try await workflows.cancel(Self.childID(runID), reason: "child stopped")
            return try await workflows.result(runID, timeout: TestTiming.seconds(20))
        }
        #expect(final.status == .cancelled)
        #expect(final.reason?.contains("child stopped") == true)
        #expect(final.context["_outputs.after"] == nil)
    }
}

extension WorkflowBlueprint {
    /// The blueprint with its single node renamed.
    fileprivate func withNodeID(_ id: String) -> WorkflowBlueprint {
        var copy = self
        copy.nodes[0].id = id
        return copy
    }
}

/// Counters and a gate shared between a test and its node implementations.
final class SubflowProbe: Sendable {
    private let counters = PthreadMutex<[String: Int]>([:])
    private let gate = Atomic<Bool>(false)

    func count(_ name: String) { counters.withLock { $0[name, default: 0] += 1 } }
    func counter(_ name: String) -> Int { counters.withLock { $0[name] ?? 0 } }
    func open() { gate.store(true, ordering: .sequentiallyConsistent) }
    var isOpen: Bool { gate.load(ordering: .sequentiallyConsistent) }
}

import Foundation
import Synchronization
import Flowcraft
@testable import FlowcraftRedis
import FlowcraftScenarios
import Testing

/// `WorkflowClient.redrive` at the Redis level: concurrent redrives, refusals, subflows, and a worker
/// SIGKILLed while redriven runs are in flight. The engine-independent behaviour is in
/// `RedriveScenarios` (both engines, both retry modes).
@Suite("Distributed redrive", .requiresRedis)
struct RedriveTests {
    /// fetch → charge → ship; `charge` fails its first execution.
    static let chain = WorkflowBlueprint(
        id: "redrive-chain",
        nodes: [
            NodeDefinition(id: "fetch", uses: "count"), NodeDefinition(id: "charge", uses: "fails-once"),
            NodeDefinition(id: "ship", uses: "count"),
        ],
        edges: [EdgeDefinition(source: "fetch", target: "charge"), EdgeDefinition(source: "charge", target: "ship")])

    static func registry(_ probe: ScenarioProbe) -> NodeRegistry {
        var registry = NodeRegistry()
        registry.register("count") { ctx in
            probe.increment("runs:" + ctx.nodeID)
            return NodeResult(output: ctx.input)
        }
        registry.register("fails-once") { ctx in
            if probe.increment("runs:" + ctx.nodeID) == 1 { throw ScenarioFailure("first execution fails") }
            return NodeResult(output: "ok")
        }
        return registry
    }

    @Test("two concurrent redrives of one failed run start it once; the second is refused")
    func concurrentRedrives() async throws {
        let probe = ScenarioProbe()
        try await DistributedTestSupport.withWorker(
            blueprints: [Self.chain], registry: Self.registry(probe), queue: DistributedTestSupport.uniqueQueue("redrive")
        ) { workflows, client in
            let runID = try await workflows.startWorkflow(blueprintID: Self.chain.id)
            #expect(try await workflows.result(runID, timeout: TestTiming.seconds(20)).status == .failed)
            @Sendable func attempt() async -> Result<Int, any Error> {
                do { return .success(try await workflows.redrive(runID)) } catch { return .failure(error) }
            }
            async let first = attempt()
            async let second = attempt()
            let outcomes = await [first, second]
            let started = outcomes.filter { if case .success = $0 { true } else { false } }
            #expect(started.count == 1, "exactly one redrive starts the run: \(outcomes)")
            for case .failure(let error) in outcomes {
                let refusal = try #require(error as? DistributedError)
                #expect(refusal.cause == .notRedrivable)
                #expect(refusal.message.contains("already redriven"), "\(refusal.message)")
            }
            let final = try await workflows.result(runID, timeout: TestTiming.seconds(20))
            #expect(final.status == .completed)
            #expect(final.context["_outputs.ship"] == "ok")
            #expect(probe.count("runs:fetch") == 1 && probe.count("runs:charge") == 2 && probe.count("runs:ship") == 1)
            #expect(try await client.send(["HGET", DistributedKeys(runID: runID).run, "redriveCount"]).string == "1")
            // The history's summary says so too (found by review: it always said 0).
            let summary = try await RedisRunHistory(client: client, queueName: workflows.options.queueName).run(runID)
            #expect(summary?.redriveCount == 1, "\(String(describing: summary))")
            // Completed now: a third redrive is refused naming the status.
            await #expect {
                try await workflows.redrive(runID)
            } throws: { error in
                (error as? DistributedError)?.message.contains("it is completed") == true
            }
        }
    }

    @Test("refusals: an unknown run, a changed blueprint version, a routing failure")
    func refusals() async throws {
        let probe = ScenarioProbe()
        // `route` returns an action no edge routes: [NO_ROUTE].
        let unrouted = WorkflowBlueprint(
            id: "redrive-unrouted",
            nodes: [NodeDefinition(id: "route", uses: "act"), NodeDefinition(id: "yes", uses: "count")],
            edges: [EdgeDefinition(source: "route", target: "yes", action: "yes")])
        var registry = Self.registry(probe)
        registry.register("act") { _ in NodeResult(output: .null, action: "no") }
        try await DistributedTestSupport.withWorker(
            blueprints: [Self.chain, unrouted], registry: registry, queue: DistributedTestSupport.uniqueQueue("redrive")
        ) { workflows, client in
            await #expect {
                try await workflows.redrive("no-such-run")
            } throws: { error in
                (error as? DistributedError)?.cause == .unknownRun
            }

            let routed = try await workflows.startWorkflow(blueprintID: unrouted.id)
            #expect(try await workflows.result(routed, timeout: TestTiming.seconds(20)).status == .failed)
            await #expect {
                try await workflows.redrive(routed)
            } throws: { error in
                (error as? DistributedError)?.message.contains("failed on routing") == true
            }

            let failed = try await workflows.startWorkflow(blueprintID: Self.chain.id)
            #expect(try await workflows.result(failed, timeout: TestTiming.seconds(20)).status == .failed)
            // A client whose catalog has the blueprint under another version label.
            var changed = Self.chain
            changed.version = "2"
            let other = try WorkflowClient(client: client, blueprints: [changed], options: workflows.options)
            await #expect {
                try await other.redrive(failed)
            } throws: { error in
                let error = error as? DistributedError
                return error?.cause == .notRedrivable && error?.message.contains("changed since the run started") == true
            }
            // Nothing changed: the run is still failed, and redrives with the right blueprint.
            #expect(try await workflows.status(failed)?.status == .failed)
            try await workflows.redrive(failed)
            #expect(try await workflows.result(failed, timeout: TestTiming.seconds(20)).status == .completed)
        }
    }

    @Test("a subflow whose child failed: the redrive reruns the subflow node with a new child run")
    func subflowRedrive() async throws {
        let probe = ScenarioProbe()
        let child = WorkflowBlueprint(
            id: "redrive-child", nodes: [NodeDefinition(id: "inner", uses: "fails-once")], edges: [])
        let parent = WorkflowBlueprint(
            id: "redrive-parent",
            nodes: [
                NodeDefinition(id: "before", uses: "count"),
                NodeDefinition(id: "call", uses: "subflow", params: ["blueprintId": "redrive-child"]),
                NodeDefinition(id: "after", uses: "count"),
            ],
            edges: [EdgeDefinition(source: "before", target: "call"), EdgeDefinition(source: "call", target: "after")])
        try await DistributedTestSupport.withWorker(
            blueprints: [parent, child], registry: Self.registry(probe), queue: DistributedTestSupport.uniqueQueue("redrive")
        ) { workflows, _ in
            let runID = try await workflows.startWorkflow(blueprintID: parent.id)
            let failed = try await workflows.result(runID, timeout: TestTiming.seconds(20))
            #expect(failed.status == .failed)
            // The child's failure failed the parent: the parent is the run to redrive.
            let childID = SubflowParentLink.childRunID(parent: runID, node: NodeInstance("call"))
            await #expect {
                try await workflows.redrive(childID)
            } throws: { error in
                (error as? DistributedError)?.message.contains("redrive its parent run '\(runID)'") == true
            }
            try await workflows.redrive(runID)
            let final = try await workflows.result(runID, timeout: TestTiming.seconds(20))
            #expect(final.status == .completed, "\(final.json)")
            #expect(probe.count("runs:before") == 1 && probe.count("runs:inner") == 2 && probe.count("runs:after") == 1)
        }
    }

    @Test("status of a paused run names its wait nodes and the actions they route")
    func statusOfPausedRun() async throws {
        let blueprint = WorkflowBlueprint(
            id: "redrive-approval",
            nodes: [
                NodeDefinition(id: "submit", uses: "count"), NodeDefinition(id: "review", uses: "wait"),
                NodeDefinition(id: "ship", uses: "count"), NodeDefinition(id: "refund", uses: "count"),
            ],
            edges: [
                EdgeDefinition(source: "submit", target: "review"),
                EdgeDefinition(source: "review", target: "ship", action: "approved"),
                EdgeDefinition(source: "review", target: "refund", action: "rejected"),
            ])
        try await DistributedTestSupport.withWorker(
            blueprints: [blueprint], registry: Self.registry(ScenarioProbe()), queue: DistributedTestSupport.uniqueQueue("redrive")
        ) { workflows, client in
            let runID = try await workflows.startWorkflow(blueprintID: blueprint.id)
            let paused = try await workflows.result(runID, timeout: TestTiming.seconds(20))
            #expect(paused.status == .awaiting)
            let waiting = try #require(paused.waitingOn)
            #expect(waiting == [WaitingNode(
                runID: runID, nodeID: "review", kind: .wait, actions: ["approved", "rejected"], routesAnyAction: false)])
            #expect(paused.json["waitingOn"]?.arrayValue?.first?["actions"] == ["approved", "rejected"])
            // A client without the blueprint still names the node.
            let bare = WorkflowClient(client: client, catalog: BlueprintCatalog(), options: workflows.options)
            #expect(try await bare.status(runID)?.waitingOn?.map(\.nodeID) == ["review"])
        }
    }
}

/// A worker SIGKILLed while redriven runs are in flight.
@Suite("Distributed redrive under a killed worker", .requiresRedis, .serialized)
struct RedriveChaosTests {
    @Test("redriven runs complete after a worker is SIGKILLed during the redrive, each node committed once")
    func killedDuringRedrive() async throws {
        let runs = 20
        let blueprint = DistributedTestSupport.diamond(id: "redrive-diamond", uses: "work")
        let setup = try ChaosTests.prepare(blueprint, workMilliseconds: 40)
        let url = try #require(TestRedis.url)
        let configuration = try TestRedis.configuration()
        let options = DistributedOptions(queueName: setup.queue, stateTTLSeconds: 600)
        let client = RedisClient(configuration: configuration)
        let catalog = try BlueprintCatalog([blueprint])
        let workflows = WorkflowClient(client: client, catalog: catalog, options: options)
        // The healthy workers' nodes take 150 ms: a redriven run (c, then e) stays in flight for 300 ms or
        // more, so the kill lands while runs are active even when the redrives take long on a loaded machine.
        func worker(_ name: String, fail: Bool) throws -> ChaosTests.WorkerProcess {
            try ChaosTests.WorkerProcess(
                binary: setup.binary, blueprints: setup.directory.path, url: url, queue: setup.queue, name: name,
                workMilliseconds: fail ? 40 : 150, extra: fail ? ["--fail", "c"] : [])
        }
        // First every run fails at `c` (one side of the diamond).
        let failing = try worker("failing", fail: true)
        var runIDs: [String] = []
        for _ in 0..<runs { runIDs.append(try await workflows.startWorkflow(blueprintID: blueprint.id)) }
        for runID in runIDs { #expect(try await workflows.result(runID, timeout: .seconds(30)).status == .failed) }
        await failing.kill()

        // Then two healthy workers; the victim is SIGKILLed and restarted while the redriven runs are in flight.
        let stable = try worker("stable", fail: false)
        var victim = try worker("victim", fail: false)
        try await withThrowingTaskGroup(of: Void.self) { group in
            for runID in runIDs { group.addTask { try await workflows.redrive(runID) } }
            try await group.waitForAll()
        }
        let activeAtKill = try await client.send(["ZCARD", DistributedKeys.activeRuns(queue: setup.queue)]).int ?? 0
        await victim.kill()
        victim = try worker("victim", fail: false)
        let unfinished = try await ChaosTests.reconcileUntilFinished(
            runIDs, workflows: workflows,
            reconciler: WorkflowReconciler(client: client, catalog: catalog, options: options, stalledThresholdSeconds: 3),
            timeout: .seconds(45))
        await stable.kill()
        await victim.kill()

        #expect(activeAtKill > 0, "the kill must land while redriven runs are active")
        #expect(unfinished.isEmpty, "\(unfinished.count) runs did not finish")
        for runID in runIDs {
            #expect(try await workflows.status(runID)?.status == .completed)
            // a, b, c, d, e: each committed once (c's failed commit was taken back by the redrive).
            #expect(try await client.send(["SCARD", DistributedKeys(runID: runID).done]).int == 5)
            #expect(try await client.send(["HGET", DistributedKeys(runID: runID).run, "redriveCount"]).string == "1")
        }
        await client.close()
        try? FileManager.default.removeItem(at: setup.directory)
    }
}

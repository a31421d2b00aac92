import Foundation
import Flowcraft
@testable import FlowcraftRedis
import Testing

/// The sharded layout on one plain Redis: run placement, workers serving shards, the recorded
/// layout, history across shards.
@Suite("Sharded queue layout", .requiresRedis)
struct ShardedLayoutTests {
    typealias Support = DistributedTestSupport
    static let layout = QueueLayout.sharded(count: 4)

    static var noop: NodeRegistry {
        var registry = NodeRegistry()
        registry.register("noop") { ctx in NodeResult(output: .string(ctx.nodeID)) }
        return registry
    }

    @Test("runs spread over the shards, each on its shard's queue; a base id maps to one shard (a second start is refused), braces are refused, base ids work for status and history")
    func runsSpreadAndBaseIDsResolve() async throws {
        let queue = Support.uniqueQueue("shards")
        let shards = QueueShards(queueName: queue, layout: Self.layout)
        try await Support.withWorker(
            blueprints: [Support.diamond()], registry: Self.noop, queue: queue, layout: Self.layout
        ) { workflows, client in
            var ids: [String] = []
            for i in 0..<24 { ids.append(try await workflows.startWorkflow(blueprintID: "diamond", runID: "order-\(i)")) }
            for (i, id) in ids.enumerated() {
                #expect(id == (try shards.newRunID(baseID: "order-\(i)")))
                #expect(try await workflows.result(id, timeout: .seconds(30)).status == .completed)
            }
            #expect(Set(ids.compactMap(shards.shard(ofRunID:))).count >= 3, "\(ids)")
            // Each run's jobs went through its shard's queue (completed jobs are kept).
            for id in ids.prefix(6) {
                let jobID = NodeJobData(runID: id, blueprintID: "diamond", nodeID: "e").jobID
                for shard in 0..<shards.count {
                    let score = try await client.send(["ZSCORE", "bull:\(shards.queueName(ofShard: shard)):completed", jobID])
                    #expect((score.string != nil) == (shard == shards.shard(ofRunID: id)), "\(id) shard \(shard)")
                }
            }
            // The same base id is the same run: its second start is refused.
            await #expect {
                try await workflows.startWorkflow(blueprintID: "diamond", runID: "order-3")
            } throws: { ($0 as? DistributedError)?.cause == .runExists }
            await #expect {
                try await workflows.startWorkflow(blueprintID: "diamond", runID: "bad{tag}")
            } throws: { ($0 as? DistributedError)?.cause == .invalidLayout && "\($0)".contains("bad{tag}") }
            // Base ids and full ids name the same run.
            let byBase = try await workflows.status("order-5")
            #expect(byBase?.status == .completed)
            #expect(byBase == (try await workflows.status(ids[5])))
            let history = RedisRunHistory(client: client, queueName: queue, layout: Self.layout)
            #expect(try await history.run("order-5")?.runID == ids[5])
            #expect(try await !history.events(of: "order-5").isEmpty)
        }
    }

    @Test("a subflow's child run carries its parent's tag and its jobs go to the parent's shard queue")
    func subflowChildOnParentShard() async throws {
        let queue = Support.uniqueQueue("shard-sub")
        let shards = QueueShards(queueName: queue, layout: Self.layout)
        let child = WorkflowBlueprint(id: "child", nodes: [NodeDefinition(id: "x", uses: "noop")], edges: [])
        let parent = WorkflowBlueprint(
            id: "parent",
            nodes: [
                NodeDefinition(id: "sub", uses: "subflow", params: ["blueprintId": "child"]),
                NodeDefinition(id: "after", uses: "noop"),
            ],
            edges: [EdgeDefinition(source: "sub", target: "after")])
        try await Support.withWorker(blueprints: [parent, child], registry: Self.noop, queue: queue, layout: Self.layout) { workflows, client in
            for base in ["p1", "p2", "p3", "p4", "p5"] {
                let id = try await workflows.startWorkflow(blueprintID: "parent", runID: base)
                #expect(try await workflows.result(id, timeout: .seconds(30)).status == .completed)
                let childID = SubflowParentLink.childRunID(parent: id, node: NodeInstance("sub"))
                let shard = try #require(shards.shard(ofRunID: id))
                #expect(shards.shard(ofRunID: childID) == shard)
                let jobID = NodeJobData(runID: childID, blueprintID: "child", nodeID: "x").jobID
                for other in 0..<shards.count {
                    let score = try await client.send(["ZSCORE", "bull:\(shards.queueName(ofShard: other)):completed", jobID])
                    #expect((score.string != nil) == (other == shard), "child job of \(id) on shard \(other)")
                }
            }
        }
    }

    @Test("a worker serving shards [0, 1] of 4 takes only their jobs; a second worker serving [2, 3] finishes the rest")
    func workersSplitTheShards() async throws {
        let queue = Support.uniqueQueue("shard-split")
        let shards = QueueShards(queueName: queue, layout: Self.layout)
        let client = try TestRedis.client()
        var options = DistributedOptions(queueName: queue, stateTTLSeconds: 600)
        options.layout = Self.layout
        let blueprint = Support.diamond()
        let workflows = try WorkflowClient(client: client, blueprints: [blueprint], options: options)
        let first = try DistributedWorker(
            blueprints: [blueprint], registry: Self.noop, client: client, options: options,
            workerOptions: WorkerOptions(concurrency: 4, drainDelay: 0.2), shards: [0, 1])
        #expect(first.servedShards == [0, 1])
        first.start()
        var ids: [String] = []
        for i in 0..<32 { ids.append(try await workflows.startWorkflow(blueprintID: "diamond", runID: "split-\(i)")) }
        let served = ids.filter { (shards.shard(ofRunID: $0) ?? 9) < 2 }
        let other = ids.filter { (shards.shard(ofRunID: $0) ?? 0) >= 2 }
        #expect(!served.isEmpty && !other.isEmpty)
        for id in served { #expect(try await workflows.result(id, timeout: .seconds(30)).status == .completed) }
        for id in other { #expect(try await workflows.status(id)?.status == .running) }
        for shard in 2..<4 {
            let waiting = try await client.send(["LLEN", "bull:\(shards.queueName(ofShard: shard)):wait"]).int ?? 0
            #expect(waiting == other.filter { shards.shard(ofRunID: $0) == shard }.count)
        }
        let second = try DistributedWorker(
            blueprints: [blueprint], registry: Self.noop, client: client, options: options,
            workerOptions: WorkerOptions(concurrency: 4, drainDelay: 0.2), shards: [2, 3])
        second.start()
        for id in other { #expect(try await workflows.result(id, timeout: .seconds(30)).status == .completed) }
        await first.close()
        await second.close()
        // A shard outside the layout is refused, naming it.
        #expect {
            _ = try DistributedWorker(blueprints: [blueprint], registry: Self.noop, client: client, options: options, shards: [4])
        } throws: { ($0 as? DistributedError)?.cause == .invalidLayout && "\($0)".contains("shard 4") }
        await client.close()
    }

    @Test("the configured concurrency is the total across the shards a worker serves")
    func concurrencyIsTotal() async throws {
        let queue = Support.uniqueQueue("shard-conc")
        let inFlight = PthreadMutex((now: 0, peak: 0))
        var registry = NodeRegistry()
        registry.register("slow") { ctx in
            inFlight.withLock { $0.now += 1; $0.peak = max($0.peak, $0.now) }
            try await Task.sleep(for: .milliseconds(60))
            inFlight.withLock { $0.now -= 1 }
            return NodeResult(output: .null)
        }
        let blueprint = WorkflowBlueprint(id: "one", nodes: [NodeDefinition(id: "s", uses: "slow")], edges: [])
        try await Support.withWorker(
            blueprints: [blueprint], registry: registry, queue: queue, concurrency: 3, layout: Self.layout
        ) { workflows, _ in
            var ids: [String] = []
            for i in 0..<24 { ids.append(try await workflows.startWorkflow(blueprintID: "one", runID: "c-\(i)")) }
            for id in ids { #expect(try await workflows.result(id, timeout: .seconds(30)).status == .completed) }
        }
        let peak = inFlight.withLock { $0.peak }
        #expect(peak <= 3 && peak >= 2, "peak \(peak)")
    }

    @Test("a busy shard does not keep the shared budget from another: with concurrency 1, a run on an idle shard finishes while the busy shard still has work")
    func busyShardDoesNotStarveAnother() async throws {
        let queue = Support.uniqueQueue("shard-fair")
        let layout = QueueLayout.sharded(count: 2)
        let shards = QueueShards(queueName: queue, layout: layout)
        let busy = (0..<400).map { "busy-\($0)" }.filter { shards.shard(ofBaseID: $0) == 0 }.prefix(40)
        let idle = try #require((0..<100).map { "idle-\($0)" }.first { shards.shard(ofBaseID: $0) == 1 })
        let client = try TestRedis.client()
        var options = DistributedOptions(queueName: queue, stateTTLSeconds: 600)
        options.layout = layout
        let blueprint = Support.diamond()
        let workflows = try WorkflowClient(client: client, blueprints: [blueprint], options: options)
        var busyIDs: [String] = []
        for base in busy { busyIDs.append(try await workflows.startWorkflow(blueprintID: "diamond", runID: base)) }
        let worker = try DistributedWorker(
            blueprints: [blueprint], registry: Self.noop, client: client, options: options,
            workerOptions: WorkerOptions(concurrency: 1, drainDelay: 0.2))
        worker.start()
        // Shard 0 is busy (200 jobs, each commit adding the next): the idle shard's run still gets its turns.
        try await Task.sleep(for: .milliseconds(50))
        let idleID = try await workflows.startWorkflow(blueprintID: "diamond", runID: idle)
        #expect(try await workflows.result(idleID, timeout: .seconds(30)).status == .completed)
        var finished = 0
        for id in busyIDs where try await workflows.status(id)?.status == .completed { finished += 1 }
        #expect(finished < busyIDs.count, "every busy run finished before the idle shard's run")
        for id in busyIDs { #expect(try await workflows.result(id, timeout: .seconds(30)).status == .completed) }
        await worker.close()
        await client.close()
    }

    @Test("the layout is recorded by the first process given one; a different one is refused naming both; a process given none discovers it")
    func recordedLayout() async throws {
        let queue = Support.uniqueQueue("shard-record")
        let client = try TestRedis.client()
        #expect(try await QueueLayoutRecord.resolve(nil, queueName: queue, client: client) == .single)
        #expect(try await QueueLayoutRecord.resolve(.sharded(count: 8), queueName: queue, client: client) == .sharded(count: 8))
        #expect(try await client.send(["GET", "flowcraft:layout:\(queue)"]).string == "sharded:8")
        #expect(try await QueueLayoutRecord.resolve(.sharded(count: 8), queueName: queue, client: client) == .sharded(count: 8))
        await #expect {
            _ = try await QueueLayoutRecord.resolve(.sharded(count: 16), queueName: queue, client: client)
        } throws: { error in
            (error as? DistributedError)?.cause == .layoutMismatch && "\(error)".contains("sharded:8") && "\(error)".contains("sharded:16")
        }
        var options = DistributedOptions(queueName: queue)
        #expect(try await options.withRecordedLayout(client: client).layout == .sharded(count: 8))
        // A worker given another layout (or none, i.e. single) does not start.
        for layout in [QueueLayout.sharded(count: 16), nil] {
            options.layout = layout
            let worker = try DistributedWorker(blueprints: [Support.diamond()], registry: Self.noop, client: client, options: options)
            await #expect {
                try await worker.run()
            } throws: { ($0 as? DistributedError)?.cause == .layoutMismatch && "\($0)".contains("sharded:8") }
            await worker.close()
        }
        await client.close()
    }

    @Test("a client given no layout refuses to start a run on a sharded queue (no run left on an unserved queue)")
    func clientWithoutLayoutRefusesShardedQueue() async throws {
        let queue = Support.uniqueQueue("shard-unresolved")
        let client = try TestRedis.client()
        let blueprint = Support.diamond()
        // Nothing recorded: single, as before layouts existed.
        let plain = try WorkflowClient(client: client, blueprints: [blueprint], options: DistributedOptions(queueName: queue))
        let first = try await plain.startWorkflow(blueprintID: blueprint.id)
        #expect(!first.contains("{"))

        let sharded = "\(queue)-sharded"
        _ = try await QueueLayoutRecord.resolve(.sharded(count: 4), queueName: sharded, client: client)
        let unresolved = try WorkflowClient(client: client, blueprints: [blueprint], options: DistributedOptions(queueName: sharded))
        // Unique to this test and pass (the shared test Redis keeps what an earlier pass left).
        let orderID = "order-\(UUID().uuidString)"
        await #expect {
            _ = try await unresolved.startWorkflow(blueprintID: blueprint.id, runID: orderID)
        } throws: { error in
            (error as? DistributedError)?.cause == .layoutMismatch && "\(error)".contains("sharded:4")
                && "\(error)".contains("withRecordedLayout")
        }
        #expect(try await client.send(["KEYS", "workflow:state:*\(orderID)"]).array?.isEmpty == true)
        // Resolved, the same client options start the run on its shard.
        let resolved = try WorkflowClient(
            client: client, blueprints: [blueprint],
            options: try await DistributedOptions(queueName: sharded).withRecordedLayout(client: client))
        let id = try await resolved.startWorkflow(blueprintID: blueprint.id, runID: orderID)
        #expect(id.hasPrefix("{\(sharded).") && id.hasSuffix("}\(orderID)"))
        await client.close()
    }

    @Test("run history pages across shards over 210 runs: newest first, no duplicates, no gaps")
    func historyPagesAcrossShards() async throws {
        let queue = Support.uniqueQueue("shard-history")
        let blueprint = WorkflowBlueprint(id: "one", nodes: [NodeDefinition(id: "a", uses: "noop")], edges: [])
        try await Support.withWorker(
            blueprints: [blueprint], registry: Self.noop, queue: queue, concurrency: 16, layout: Self.layout
        ) { workflows, client in
            var ids: Set<String> = []
            for i in 0..<210 { ids.insert(try await workflows.startWorkflow(blueprintID: "one", runID: "h-\(i)")) }
            for id in ids { _ = try await workflows.result(id, timeout: .seconds(30)) }
            let history = RedisRunHistory(client: client, queueName: queue, layout: Self.layout)
            for limit in [1, 7, 50, 1000] {
                var seen: [RunSummary] = []
                var cursor: String?
                var pages = 0
                repeat {
                    let page = try await history.runs(RunQuery(limit: limit, cursor: cursor))
                    #expect(page.runs.count <= limit)
                    seen += page.runs
                    cursor = page.nextCursor
                    pages += 1
                } while cursor != nil && pages < 400
                #expect(seen.count == 210, "limit \(limit)")
                #expect(Set(seen.map(\.runID)) == ids, "limit \(limit)")
                #expect(zip(seen, seen.dropFirst()).allSatisfy { $0.startedAt >= $1.startedAt }, "limit \(limit)")
            }
            let completed = try await history.runs(RunQuery(status: .completed, limit: 1000))
            #expect(completed.runs.count == 210)
        }
    }

    @Test("a job on another shard's queue than its run's fails unrun, naming both queues; the run completes from its own shard")
    func jobOnForeignShardFails() async throws {
        let queue = Support.uniqueQueue("shard-foreign")
        let shards = QueueShards(queueName: queue, layout: Self.layout)
        try await Support.withWorker(blueprints: [Support.diamond()], registry: Self.noop, queue: queue, layout: Self.layout) {
            workflows, client in
            let id = try await workflows.startWorkflow(blueprintID: "diamond", runID: "foreign-1")
            let shard = try #require(shards.shard(ofRunID: id))
            let other = shards.queueName(ofShard: (shard + 1) % shards.count)
            let foreign = try Queue(name: other, client: client)
            let data = NodeJobData(runID: id, blueprintID: "diamond", nodeID: "a")
            _ = try await foreign.add(name: "executeNode", data: data.json, options: JobOptions(jobId: "stray"))
            #expect(try await workflows.result(id, timeout: .seconds(30)).status == .completed)
            var state = JobState.unknown
            for _ in 0..<200 {
                state = try await foreign.getState("stray")
                if state == .failed { break }
                try await Task.sleep(for: .milliseconds(20))
            }
            #expect(state == .failed)
            let reason = try await client.send(["HGET", "bull:\(other):stray", "failedReason"]).string ?? ""
            #expect(reason.contains(other) && reason.contains(shards.queueName(ofShard: shard)), "\(reason)")
        }
    }

    @Test("the reconciler walks every shard's active-runs index")
    func reconcilerWalksShards() async throws {
        let queue = Support.uniqueQueue("shard-reconcile")
        let client = try TestRedis.client()
        var options = DistributedOptions(queueName: queue, stateTTLSeconds: 600)
        options.layout = Self.layout
        let shards = options.shards
        let blueprint = Support.diamond()
        let catalog = try BlueprintCatalog([blueprint])
        let workflows = WorkflowClient(client: client, catalog: catalog, options: options)
        // No worker: the start jobs wait; two of them are lost.
        let ids = [try await workflows.startWorkflow(blueprintID: "diamond", runID: "r-1"),
                   try await workflows.startWorkflow(blueprintID: "diamond", runID: "r-2")]
        for id in ids {
            let keys = QueueKeys(prefix: "bull", queueName: shards.queueName(forRun: id))
            let jobID = NodeJobData(runID: id, blueprintID: "diamond", nodeID: "a").jobID
            _ = try await client.send(["LREM", keys.wait, "0", jobID])
            _ = try await client.send(["DEL", keys.job(jobID)])
            _ = try await client.send(["ZADD", DistributedKeys.activeRuns(queue: shards.queueName(forRun: id)), "1", id])
        }
        let stats = try await WorkflowReconciler(client: client, catalog: catalog, options: options, stalledThresholdSeconds: 600).run()
        #expect(stats.scannedKeys == 2 && stats.reconciledRuns == 2)
        let worker = try DistributedWorker(
            blueprints: [blueprint], registry: Self.noop, client: client, options: options,
            workerOptions: WorkerOptions(concurrency: 4, drainDelay: 0.2))
        worker.start()
        for id in ids { #expect(try await workflows.result(id, timeout: TestTiming.seconds(20)).status == .completed) }
        await worker.close()
        await client.close()
    }
}

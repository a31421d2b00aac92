import Flowcraft
import Foundation
@testable import FlowcraftRedis
import Testing

/// The distributed engine while the cluster's topology changes under live runs: slots of shards
/// moved to another master, and a master failing over to its replica. Each test has a cluster of
/// its own (it rearranges it).
@Suite("Cluster topology changes under live runs", .serialized)
struct ClusterTopologyTests {
    @Test("resharding: the slots of 6 of 16 shards (keys of live runs and all) move to another master while 200 runs with 20–50 ms nodes are in flight; every run completes, no node committed twice")
    func reshardingWithLiveRuns() async throws {
        try await RedisClusterServers.with { cluster in
            let load = ClusterRunLoad(runs: 200, workers: 2, concurrency: 4, nodeDelay: 20...50)
            let moved = PthreadMutex<Int>(0)
            let report = try await load.execute(configuration: try cluster.configuration()) { shards, _ in
                // Let the runs get going, then move the slots of six shards' hash tags, each to the
                // next master round the ring.
                try await Task.sleep(for: .milliseconds(300))
                let masters = try await cluster.masterPorts().sorted()
                for shard in [0, 3, 5, 8, 11, 14] {
                    let slot = RedisClusterSlot.of(shards.queueName(ofShard: shard))
                    let owner = try await cluster.masterPort(forSlot: slot)
                    let target = masters[((masters.firstIndex(of: owner) ?? 0) + 1) % masters.count]
                    let keys = try await cluster.migrate(slot: slot, to: target)
                    moved.withLock { $0 += keys }
                    #expect(try await cluster.masterPort(forSlot: slot) == target)
                }
            }
            report.expectEveryRunCompletedOnce()
            #expect(moved.withLock { $0 } > 0, "no keys were moved: the slots held no live runs")
        }
    }

    @Test("fail-over: CLUSTER FAILOVER on the replica of a master holding shards while 200 runs are in flight; every run completes, no node committed twice")
    func failoverWithLiveRuns() async throws {
        try await RedisClusterServers.with { cluster in
            let load = ClusterRunLoad(runs: 200, workers: 2, concurrency: 4, nodeDelay: 20...50)
            let promoted = PthreadMutex<Int>(0)
            let report = try await load.execute(configuration: try cluster.configuration()) { shards, _ in
                try await Task.sleep(for: .milliseconds(300))
                let master = try await cluster.masterPort(forSlot: RedisClusterSlot.of(shards.queueName(ofShard: 0)))
                let replica = try await cluster.failOver(masterPort: master)
                promoted.withLock { $0 = replica }
            }
            report.expectEveryRunCompletedOnce()
            #expect(promoted.withLock { $0 } != 0)
        }
    }
}

extension ClusterTopologyTests {
    @Test("redis-cli --cluster reshard: slots of a master, one shard's among them, move to another master while 200 runs with 20–50 ms nodes are in flight; every run completes, no node committed twice")
    func redisCLIReshardWithLiveRuns() async throws {
        try await RedisClusterServers.with { cluster in
            let load = ClusterRunLoad(runs: 200, workers: 2, concurrency: 4, nodeDelay: 20...50)
            let report = try await load.execute(configuration: try cluster.configuration()) { shards, _ in
                try await Task.sleep(for: .milliseconds(300))
                // The cluster starts with the slots split in three ranges; `reshard` moves a
                // master's lowest slots first. A shard whose slot is not near its range's end is
                // moved with the slots before it (not the whole range: a master left without slots
                // gives its replica away, which is not this test's concern).
                let starts = [0, 5461, 10923]
                let slots = (0..<shards.count).map { RedisClusterSlot.of(shards.queueName(ofShard: $0)) }
                let offsets = slots.map { slot in slot - (starts.last { $0 <= slot } ?? 0) }
                let chosen = try #require(offsets.indices.first { offsets[$0] < 5000 })
                let source = try await cluster.masterPort(forSlot: slots[chosen])
                let target = try #require(try await cluster.masterPorts().first { $0 != source })
                try await cluster.reshard(slots: offsets[chosen] + 101, from: source, to: target)
                #expect(try await cluster.masterPort(forSlot: slots[chosen]) == target)
            }
            report.expectEveryRunCompletedOnce()
        }
    }
}

extension ClusterTopologyTests {
    @Test("SIGKILL of a master holding shards while 200 runs are in flight: its replica takes over after the node timeout, a reconciler restores work lost with it, every run completes, every node committed once (executed at most twice)")
    func masterKilledWithLiveRuns() async throws {
        try await RedisClusterServers.with { cluster in
            let load = ClusterRunLoad(runs: 200, workers: 2, concurrency: 4, nodeDelay: 20...50, timeout: .seconds(180))
            let configuration = try cluster.configuration()
            let report = try await load.execute(configuration: configuration) { shards, runIDs in
                try await Task.sleep(for: .milliseconds(300))
                let master = try await cluster.masterPort(forSlot: RedisClusterSlot.of(shards.queueName(ofShard: 0)))
                let replica = try await cluster.replicaPort(of: master)
                try #require(replica != 0)
                await cluster.server(port: master)?.stop(kill: true)
                let deadline = ContinuousClock.now + .seconds(30)
                while ContinuousClock.now < deadline {
                    let role = (try? await cluster.send(["INFO", "replication"], to: replica).string) ?? ""
                    if role.contains("role:master") { break }
                    try await Task.sleep(for: .milliseconds(100))
                }
                // Work the killed master acknowledged but never replicated is gone: a reconciler
                // (stalled after 2 s) enqueues it again until every run has ended.
                let client = RedisClient(configuration: configuration)
                var options = DistributedOptions(queueName: shards.queueName)
                options.layout = shards.layout
                let blueprint = DistributedTestSupport.diamond(id: "cluster-diamond", uses: "count")
                let workflows = try WorkflowClient(client: client, blueprints: [blueprint], options: options)
                let reconciler = WorkflowReconciler(
                    client: client, catalog: try BlueprintCatalog([blueprint]), options: options, stalledThresholdSeconds: 2)
                let until = ContinuousClock.now + .seconds(150)
                while ContinuousClock.now < until {
                    _ = try? await reconciler.run()
                    var open = 0
                    for runID in runIDs {
                        let status = try? await workflows.status(runID)
                        if status?.status != .completed { open += 1 }
                    }
                    if open == 0 { break }
                    try await Task.sleep(for: .seconds(1))
                }
                await client.close()
            }
            report.expectEveryRunCompletedOnce(executedOnce: false)
            let twice = report.repeatedExecutions.values.filter { $0 > 2 }
            #expect(twice.isEmpty, "nodes executed more than twice: \(report.repeatedExecutions)")
        }
    }
}

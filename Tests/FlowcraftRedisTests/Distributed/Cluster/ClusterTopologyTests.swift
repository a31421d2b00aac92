import Foundation
import Synchronization
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
            let moved = Mutex<Int>(0)
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
            let promoted = Mutex<Int>(0)
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

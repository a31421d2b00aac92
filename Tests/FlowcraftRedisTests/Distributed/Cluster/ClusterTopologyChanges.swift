import Foundation
@testable import FlowcraftRedis

/// Topology changes the cluster engine tests make while runs are in flight: moving a slot (keys and
/// all) to another master, and a coordinated fail-over.
extension RedisClusterServers {
    /// Moves `slot` with its keys to the master on `targetPort`, as `redis-cli --cluster reshard`
    /// does for each slot it moves: `SETSLOT IMPORTING` on the target, `MIGRATING` on the source,
    /// `MIGRATE` the keys in batches until the source has none left (new keys of a migrating slot
    /// are created on the target: the source answers `ASK`), then `SETSLOT NODE` on the target, the
    /// source and every other master. Returns the number of keys moved.
    @discardableResult
    func migrate(slot: Int, to targetPort: Int) async throws -> Int {
        let sourcePort = try await masterPort(forSlot: slot)
        guard sourcePort != targetPort, sourcePort != 0 else { return 0 }
        let sourceID = try await nodeID(port: sourcePort)
        let targetID = try await nodeID(port: targetPort)
        _ = try await send(["CLUSTER", "SETSLOT", String(slot), "IMPORTING", sourceID], to: targetPort)
        _ = try await send(["CLUSTER", "SETSLOT", String(slot), "MIGRATING", targetID], to: sourcePort)
        var moved = 0
        while true {
            let keys = try await send(["CLUSTER", "GETKEYSINSLOT", String(slot), "50"], to: sourcePort).array?.compactMap(\.string) ?? []
            if keys.isEmpty { break }
            _ = try await send(["MIGRATE", "127.0.0.1", String(targetPort), "", "0", "5000", "REPLACE", "KEYS"] + keys, to: sourcePort)
            moved += keys.count
        }
        _ = try await send(["CLUSTER", "SETSLOT", String(slot), "NODE", targetID], to: targetPort)
        _ = try await send(["CLUSTER", "SETSLOT", String(slot), "NODE", targetID], to: sourcePort)
        for port in try await masterPorts() where port != targetPort && port != sourcePort {
            _ = try await send(["CLUSTER", "SETSLOT", String(slot), "NODE", targetID], to: port)
        }
        return moved
    }

    /// A coordinated fail-over (`CLUSTER FAILOVER` on the replica of the master on `masterPort`):
    /// waits until the replica is a master and the cluster is healthy again; returns its port.
    func failOver(masterPort: Int) async throws -> Int {
        let replica = try await replicaPort(of: masterPort)
        guard replica != 0 else { throw PrivateRedisServer.StartupError(description: "master \(masterPort) has no replica") }
        _ = try await send(["CLUSTER", "FAILOVER"], to: replica)
        let deadline = ContinuousClock.now + .seconds(30)
        while ContinuousClock.now < deadline {
            let role = try await send(["INFO", "replication"], to: replica).string ?? ""
            if role.contains("role:master") {
                try await waitUntilHealthy()
                return replica
            }
            try await Task.sleep(for: .milliseconds(50))
        }
        throw PrivateRedisServer.StartupError(description: "replica \(replica) of \(masterPort) did not take over")
    }
}

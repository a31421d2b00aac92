@testable import FlowcraftRedis
import Testing

/// Building the slot map from canned `CLUSTER SHARDS` / `CLUSTER SLOTS` replies.
@Suite("Redis Cluster slot map")
struct ClusterSlotMapTests {
    typealias Endpoint = RedisClusterConfiguration.Endpoint
    private let queried = Endpoint(host: "10.0.0.9", port: 7000)

    private func bulk(_ text: String) -> RedisReply { .bulk(Array(text.utf8)) }

    private func node(ip: String, endpoint: String? = nil, port: Int, tlsPort: Int? = nil, role: String, health: String = "online") -> RedisReply {
        var fields: [RedisReply] = [bulk("id"), bulk("abc\(port)"), bulk("port"), .integer(port)]
        if let tlsPort { fields += [bulk("tls-port"), .integer(tlsPort)] }
        fields += [
            bulk("ip"), bulk(ip), bulk("endpoint"), bulk(endpoint ?? ip), bulk("role"), bulk(role),
            bulk("replication-offset"), .integer(100), bulk("health"), bulk(health),
        ]
        return .array(fields)
    }

    private func shard(_ slots: [Int], _ nodes: [RedisReply]) -> RedisReply {
        .array([bulk("slots"), .array(slots.map { .integer($0) }), bulk("nodes"), .array(nodes)])
    }

    @Test func parsesClusterShards() throws {
        let reply = RedisReply.array([
            shard([0, 5460], [node(ip: "127.0.0.1", port: 7000, role: "master"), node(ip: "127.0.0.1", port: 7003, role: "replica")]),
            shard([5461, 10922], [node(ip: "127.0.0.1", port: 7001, role: "master"), node(ip: "127.0.0.1", port: 7004, role: "replica")]),
            shard([10923, 12000, 12001, 16383], [node(ip: "127.0.0.1", port: 7002, role: "master")]),
        ])
        let map = try ClusterSlotMap.parse(shards: reply, queried: queried, tls: false)
        #expect(map.masters == [Endpoint(host: "127.0.0.1", port: 7000), Endpoint(host: "127.0.0.1", port: 7001), Endpoint(host: "127.0.0.1", port: 7002)])
        #expect(map.master(forSlot: 0) == Endpoint(host: "127.0.0.1", port: 7000))
        #expect(map.master(forSlot: 5461) == Endpoint(host: "127.0.0.1", port: 7001))
        #expect(map.master(forSlot: 12182) == Endpoint(host: "127.0.0.1", port: 7002))
        #expect(map.master(forSlot: 16383) == Endpoint(host: "127.0.0.1", port: 7002))
        #expect(map.replicas[Endpoint(host: "127.0.0.1", port: 7000)] == [Endpoint(host: "127.0.0.1", port: 7003)])
        #expect(map.coversAllSlots)
        #expect(map.slotCount(of: Endpoint(host: "127.0.0.1", port: 7001)) == 5462)
    }

    @Test func unknownEndpointsMeanTheQueriedHost() throws {
        let reply = RedisReply.array([
            shard([0, 16383], [node(ip: "", endpoint: "?", port: 7000, role: "master"), node(ip: "?", endpoint: "", port: 7003, role: "replica")]),
        ])
        let map = try ClusterSlotMap.parse(shards: reply, queried: queried, tls: false)
        #expect(map.master(forSlot: 100) == Endpoint(host: "10.0.0.9", port: 7000))
        #expect(map.replicas[Endpoint(host: "10.0.0.9", port: 7000)] == [Endpoint(host: "10.0.0.9", port: 7003)])
    }

    @Test func theEndpointFieldWinsOverTheIP() throws {
        let reply = RedisReply.array([shard([0, 16383], [node(ip: "10.1.1.1", endpoint: "redis-0.internal", port: 7000, role: "master")])])
        let map = try ClusterSlotMap.parse(shards: reply, queried: queried, tls: false)
        #expect(map.master(forSlot: 0) == Endpoint(host: "redis-0.internal", port: 7000))
    }

    @Test func tlsUsesTheTLSPort() throws {
        let reply = RedisReply.array([shard([0, 16383], [node(ip: "127.0.0.1", port: 7000, tlsPort: 8000, role: "master")])])
        #expect(try ClusterSlotMap.parse(shards: reply, queried: queried, tls: true).master(forSlot: 0)?.port == 8000)
        #expect(try ClusterSlotMap.parse(shards: reply, queried: queried, tls: false).master(forSlot: 0)?.port == 7000)
    }

    @Test func aHealthyMasterWinsOverAFailedOne() throws {
        let reply = RedisReply.array([
            shard([0, 16383], [
                node(ip: "127.0.0.1", port: 7000, role: "master", health: "failed"),
                node(ip: "127.0.0.1", port: 7003, role: "master"),
            ]),
        ])
        let map = try ClusterSlotMap.parse(shards: reply, queried: queried, tls: false)
        #expect(map.master(forSlot: 9) == Endpoint(host: "127.0.0.1", port: 7003))
    }

    @Test func shardsWithoutSlotsAreSkipped() throws {
        let reply = RedisReply.array([
            shard([], [node(ip: "127.0.0.1", port: 7005, role: "master")]),
            shard([0, 99], [node(ip: "127.0.0.1", port: 7000, role: "master")]),
        ])
        let map = try ClusterSlotMap.parse(shards: reply, queried: queried, tls: false)
        #expect(map.masters == [Endpoint(host: "127.0.0.1", port: 7000)])
        #expect(map.master(forSlot: 100) == nil)
        #expect(!map.coversAllSlots)
    }

    @Test func parsesClusterSlots() throws {
        let reply = RedisReply.array([
            .array([.integer(0), .integer(5460), .array([bulk("127.0.0.1"), .integer(7000), bulk("id0")]), .array([bulk("127.0.0.1"), .integer(7003), bulk("id3")])]),
            .array([.integer(5461), .integer(16383), .array([bulk(""), .integer(7001), bulk("id1")])]),
        ])
        let map = try ClusterSlotMap.parse(slots: reply, queried: queried)
        #expect(map.master(forSlot: 5460) == Endpoint(host: "127.0.0.1", port: 7000))
        #expect(map.master(forSlot: 5461) == Endpoint(host: "10.0.0.9", port: 7001))
        #expect(map.replicas[Endpoint(host: "127.0.0.1", port: 7000)] == [Endpoint(host: "127.0.0.1", port: 7003)])
        #expect(map.coversAllSlots)
    }

    @Test func malformedRepliesAreProtocolErrors() {
        #expect(throws: RedisError.self) { try ClusterSlotMap.parse(slots: .integer(3), queried: queried) }
        #expect(throws: RedisError.self) { try ClusterSlotMap.parse(slots: .array([.array([.integer(0)])]), queried: queried) }
        #expect(throws: RedisError.self) { try ClusterSlotMap.parse(shards: .status("OK"), queried: queried, tls: false) }
        #expect(throws: RedisError.self) {
            try ClusterSlotMap.parse(shards: .array([.array([bulk("slots")])]), queried: queried, tls: false)
        }
    }

    @Test func movedUpdatesOneSlot() {
        var map = ClusterSlotMap(shards: [.init(master: Endpoint(host: "a", port: 1), replicas: [], slots: [0...16383])])
        map.assign(slot: 42, to: Endpoint(host: "b", port: 2))
        #expect(map.master(forSlot: 42) == Endpoint(host: "b", port: 2))
        #expect(map.master(forSlot: 41) == Endpoint(host: "a", port: 1))
        #expect(map.masters.count == 2)
        map.assign(slot: 16384, to: Endpoint(host: "c", port: 3))
        #expect(map.masters.count == 2)
        #expect(map.master(forSlot: -1) == nil)
    }
}

/// Which master serves each of the 16384 hash slots, and the replicas of each master: the client's
/// picture of a Redis Cluster, built from `CLUSTER SHARDS` (Redis 7+) or `CLUSTER SLOTS`.
///
/// A value type without I/O, so parsing and updates are unit-tested on canned replies
/// (`ClusterSlotMapTests`).
struct ClusterSlotMap: Sendable, Equatable {
    typealias Endpoint = RedisClusterConfiguration.Endpoint

    /// One master, its replicas and the slot ranges it serves.
    struct Shard: Sendable, Equatable {
        var master: Endpoint
        var replicas: [Endpoint]
        var slots: [ClosedRange<Int>]
    }

    /// Every master that serves at least one slot (or was learnt from a redirection), in first-seen order.
    private(set) var masters: [Endpoint] = []
    /// Replicas by master.
    private(set) var replicas: [Endpoint: [Endpoint]] = [:]
    /// Per slot, the index of its master in ``masters``; -1 when no master serves it.
    private var owners: [Int16] = Array(repeating: -1, count: RedisClusterSlot.count)

    /// An empty map: no slot has a master.
    init() {}

    /// A map from shards; a later shard's ranges win over an earlier one's.
    init(shards: [Shard]) {
        for shard in shards {
            replicas[shard.master] = shard.replicas
            for range in shard.slots {
                for slot in range where (0..<RedisClusterSlot.count).contains(slot) {
                    assign(slot: slot, to: shard.master)
                }
            }
        }
    }

    /// The master serving `slot`, if known.
    func master(forSlot slot: Int) -> Endpoint? {
        guard (0..<RedisClusterSlot.count).contains(slot) else { return nil }
        let index = Int(owners[slot])
        return index >= 0 ? masters[index] : nil
    }

    /// Whether every slot has a master.
    var coversAllSlots: Bool { !owners.contains(-1) }

    /// Number of slots served by `master`.
    func slotCount(of master: Endpoint) -> Int {
        guard let index = masters.firstIndex(of: master) else { return 0 }
        return owners.reduce(0) { $0 + (Int($1) == index ? 1 : 0) }
    }

    /// Records that `master` serves `slot` (a `MOVED` redirection), adding it to ``masters`` if new.
    mutating func assign(slot: Int, to master: Endpoint) {
        guard (0..<RedisClusterSlot.count).contains(slot) else { return }
        let index: Int
        if let known = masters.firstIndex(of: master) {
            index = known
        } else {
            index = masters.count
            masters.append(master)
        }
        owners[slot] = Int16(index)
    }

    // MARK: - Parsing

    /// Parses a `CLUSTER SHARDS` reply (RESP2: per shard a flat `slots`/`nodes` map, each node a flat
    /// map with `ip`, `endpoint`, `port`, `tls-port`, `role` and `health`). Endpoints reported as `""`
    /// or `"?"` mean `queried`'s host. With `tls`, a node's `tls-port` is used when present.
    static func parse(shards reply: RedisReply, queried: Endpoint, tls: Bool) throws(RedisError) -> ClusterSlotMap {
        guard let entries = reply.array else { throw malformed("CLUSTER SHARDS", reply) }
        var shards: [Shard] = []
        for entry in entries {
            guard let fields = entry.keyValuePairs else { throw malformed("CLUSTER SHARDS", entry) }
            let bounds = (fields["slots"]?.array ?? []).compactMap(\.int)
            guard bounds.count % 2 == 0 else { throw malformed("CLUSTER SHARDS", entry) }
            var ranges: [ClosedRange<Int>] = []
            var index = 0
            while index < bounds.count {
                if bounds[index] <= bounds[index + 1] { ranges.append(bounds[index]...bounds[index + 1]) }
                index += 2
            }
            guard !ranges.isEmpty else { continue }
            var master: Endpoint?
            var masterIsHealthy = false
            var nodeReplicas: [Endpoint] = []
            for node in fields["nodes"]?.array ?? [] {
                guard let nodeFields = node.keyValuePairs else { throw malformed("CLUSTER SHARDS", node) }
                let plainPort = nodeFields["port"]?.int.flatMap { $0 > 0 ? $0 : nil }
                let tlsPort = nodeFields["tls-port"]?.int.flatMap { $0 > 0 ? $0 : nil }
                guard let port = (tls ? tlsPort : nil) ?? plainPort ?? tlsPort else { continue }
                let host = [nodeFields["endpoint"]?.string, nodeFields["ip"]?.string]
                    .compactMap { $0 }.first { $0 != "" && $0 != "?" } ?? queried.host
                let endpoint = Endpoint(host: host, port: port)
                let healthy = (nodeFields["health"]?.string ?? "online") == "online"
                if nodeFields["role"]?.string == "master" {
                    // A failed master next to a promoted one: the healthy one serves the slots.
                    if master == nil || (healthy && !masterIsHealthy) {
                        master = endpoint
                        masterIsHealthy = healthy
                    }
                } else if healthy {
                    nodeReplicas.append(endpoint)
                }
            }
            guard let master else { continue }
            shards.append(Shard(master: master, replicas: nodeReplicas, slots: ranges))
        }
        return ClusterSlotMap(shards: shards)
    }

    /// Parses a `CLUSTER SLOTS` reply: per range `[start, end, [host, port, id…], [replica…]…]`.
    static func parse(slots reply: RedisReply, queried: Endpoint) throws(RedisError) -> ClusterSlotMap {
        guard let entries = reply.array else { throw malformed("CLUSTER SLOTS", reply) }
        var shards: [Shard] = []
        for entry in entries {
            guard let items = entry.array, items.count >= 3, let start = items[0].int, let end = items[1].int,
                  start <= end
            else { throw malformed("CLUSTER SLOTS", entry) }
            var nodes: [Endpoint] = []
            for node in items[2...] {
                guard let fields = node.array, fields.count >= 2, let port = fields[1].int else {
                    throw malformed("CLUSTER SLOTS", node)
                }
                let host = fields[0].string.flatMap { $0 == "" || $0 == "?" ? nil : $0 } ?? queried.host
                nodes.append(Endpoint(host: host, port: port))
            }
            shards.append(Shard(master: nodes[0], replicas: Array(nodes.dropFirst()), slots: [start...end]))
        }
        return ClusterSlotMap(shards: shards)
    }

    private static func malformed(_ command: String, _ reply: RedisReply) -> RedisError {
        .protocol("unexpected \(command) reply element \(reply)", command: command)
    }
}

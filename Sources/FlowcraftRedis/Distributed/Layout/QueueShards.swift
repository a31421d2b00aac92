/// A logical queue under its ``QueueLayout``: the BullMQ queue names of its shards, and which shard
/// (hence which BullMQ queue) each run belongs to.
///
/// In the single layout everything is the logical queue and run ids are used as given. In a sharded
/// layout a run's stored id is its shard's hash tag followed by the id the caller chose (the *base
/// id*): `{orders.07}order-123`. Every run key (`workflow:state:{orders.07}order-123`, …) then carries
/// the shard's tag without any script building keys differently, and a subflow child
/// (`<parentRunId>/<node>#<iteration>`) inherits its parent's tag, so it runs on its parent's shard.
public struct QueueShards: Sendable, Hashable {
    /// The logical queue (``DistributedOptions/queueName``).
    public let queueName: String
    /// Its layout.
    public let layout: QueueLayout

    /// The shards of `queueName` under `layout`.
    public init(queueName: String, layout: QueueLayout) {
        self.queueName = queueName
        self.layout = layout
    }

    /// The number of shards (1 in the single layout).
    public var count: Int { layout.shardCount }

    /// The BullMQ queue names of every shard, in shard order.
    public var queueNames: [String] { (0..<count).map(queueName(ofShard:)) }

    /// The BullMQ queue of shard `index`: the logical queue in the single layout, else
    /// `{<queue>.<index>}` with the index zero-padded to the width of `count − 1`.
    public func queueName(ofShard index: Int) -> String {
        guard case .sharded(let count) = layout else { return queueName }
        let width = String(max(count - 1, 0)).count
        let digits = String(index)
        return "{\(queueName).\(String(repeating: "0", count: max(0, width - digits.count)))\(digits)}"
    }

    /// The shard a base id is assigned to: a stable hash (FNV-1a, 64 bit, of its UTF-8 bytes) modulo
    /// the shard count, the same in every process and release.
    public func shard(ofBaseID baseID: String) -> Int {
        guard count > 1 else { return 0 }
        var hash: UInt64 = 0xcbf2_9ce4_8422_2325
        for byte in baseID.utf8 {
            hash ^= UInt64(byte)
            hash = hash &* 0x0000_0100_0000_01b3
        }
        return Int(hash % UInt64(count))
    }

    /// The shard of a stored run id (its leading hash tag), or `nil` when it has none of this queue's.
    public func shard(ofRunID runID: String) -> Int? {
        guard case .sharded = layout, runID.hasPrefix("{"), let close = runID.firstIndex(of: "}") else {
            return layout == .single ? 0 : nil
        }
        let tag = runID[runID.index(after: runID.startIndex)..<close]
        let prefix = queueName + "."
        guard tag.hasPrefix(prefix), let index = Int(tag.dropFirst(prefix.count)), (0..<count).contains(index),
            queueName(ofShard: index) == runID[...close]
        else { return nil }
        return index
    }

    /// The stored id of a new run whose caller chose `baseID`: `baseID` itself in the single
    /// layout, else its shard's tag followed by `baseID`.
    /// - Throws: ``DistributedError`` (`invalidLayout`) in a sharded layout for a base id with `{` or
    ///   `}` (it would change the hash tag Redis Cluster reads).
    public func newRunID(baseID: String) throws -> String {
        guard case .sharded = layout else { return baseID }
        if baseID.contains("{") || baseID.contains("}") {
            throw DistributedError(
                "run id '\(baseID)' contains '{' or '}', which a sharded queue reserves for its shard tag", cause: .invalidLayout)
        }
        return queueName(ofShard: shard(ofBaseID: baseID)) + baseID
    }

    /// The stored id of the run a caller names by its full id or by its base id (the base id is placed
    /// by the same hash as at its start). The single layout uses `id` as given.
    /// - Throws: ``DistributedError`` (`invalidLayout`) in a sharded layout for an id that is neither.
    public func runID(for id: String) throws -> String {
        guard case .sharded = layout else { return id }
        if shard(ofRunID: id) != nil { return id }
        return try newRunID(baseID: id)
    }

    /// The BullMQ queue that holds the jobs of run `runID` (its shard's queue; a run id without a tag of
    /// this queue — which no client of a sharded queue writes — goes by the hash of the whole id).
    public func queueName(forRun runID: String) -> String {
        guard case .sharded = layout else { return queueName }
        return queueName(ofShard: shard(ofRunID: runID) ?? shard(ofBaseID: runID))
    }

    /// The base id of a stored run id (the id without its shard tag).
    public func baseID(of runID: String) -> String {
        guard case .sharded = layout, shard(ofRunID: runID) != nil, let close = runID.firstIndex(of: "}") else { return runID }
        return String(runID[runID.index(after: close)...])
    }
}

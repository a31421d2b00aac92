/// How a logical workflow queue is laid out over Redis keys.
///
/// - ``single``: one BullMQ queue named like the logical queue and run ids as given — the keys of
///   the seed adapter (`bull:<queue>:…`, `workflow:state:<runId>`), byte for byte. The default.
/// - ``sharded(count:)``: the queue becomes `count` BullMQ queues `{<queue>.00}`, `{<queue>.01}`, …
///   (the index zero-padded to the width of `count − 1`) and a run's id starts with its shard's hash
///   tag (`{<queue>.07}order-123`), so every key of a shard and of each of its runs hashes to one
///   Redis Cluster slot: each node commit stays one script call in one slot.
///
/// Workers and clients of one queue must agree on the layout; it is recorded in Redis
/// (``QueueLayoutRecord``) by the first worker or client that is given one explicitly.
public enum QueueLayout: Sendable, Hashable, CustomStringConvertible {
    /// Today's keys: one queue, run ids as given.
    case single
    /// `count` shard queues (1 … ``maximumShardCount``).
    case sharded(count: Int)

    /// The most shards a queue can have.
    public static let maximumShardCount = 1024

    /// The number of BullMQ queues (1 for ``single``).
    public var shardCount: Int {
        switch self {
        case .single: 1
        case .sharded(let count): count
        }
    }

    /// `single` or `sharded:<count>` (the recorded and the command-line form).
    public var description: String {
        switch self {
        case .single: "single"
        case .sharded(let count): "sharded:\(count)"
        }
    }

    /// Parses ``description``'s form; a bare number `N` means `sharded:N`.
    /// - Throws: ``DistributedError`` naming the text for anything else or a count outside 1 … 1024.
    public init(parsing text: String) throws {
        let trimmed = String(text.filter { $0 != " " })
        if trimmed == "single" {
            self = .single
            return
        }
        let number = trimmed.hasPrefix("sharded:") ? String(trimmed.dropFirst("sharded:".count)) : trimmed
        guard let count = Int(number) else {
            throw DistributedError(
                "invalid queue layout '\(text)': expected 'single', 'sharded:<count>' or a shard count", cause: .invalidLayout)
        }
        self = .sharded(count: count)
        try validate()
    }

    /// Throws ``DistributedError`` when a shard count is outside 1 … ``maximumShardCount``.
    public func validate() throws {
        if case .sharded(let count) = self, !(1...Self.maximumShardCount).contains(count) {
            throw DistributedError(
                "invalid queue layout: the shard count must be 1…\(Self.maximumShardCount), got \(count)", cause: .invalidLayout)
        }
    }
}

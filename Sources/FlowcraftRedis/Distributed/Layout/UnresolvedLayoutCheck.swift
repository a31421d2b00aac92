import Synchronization

/// A client given no layout (``DistributedOptions/layout`` `nil`) starts runs in the single layout.
/// Against a queue whose workers are sharded those runs would wait forever on a queue nobody serves,
/// so the first start of such a client reads the queue's record (one `GET`, once per client) and refuses
/// with an error naming the recorded layout and the fix.
final class UnresolvedLayoutCheck: Sendable {
    private let checked = Atomic<Bool>(false)

    func refuseUnresolvedShardedQueue(options: DistributedOptions, client: RedisClient) async throws {
        guard options.layout == nil, !checked.load(ordering: .relaxed) else { return }
        let recorded = try await QueueLayoutRecord.resolve(nil, queueName: options.queueName, client: client)
        guard recorded == .single else {
            throw DistributedError(
                "queue '\(options.queueName)' is laid out as \(recorded) (recorded in '\(QueueLayoutRecord.key(queue: options.queueName))'), "
                    + "but this client was given no layout: create it with `options.withRecordedLayout(client:)` "
                    + "or set `options.layout` to \(recorded)",
                cause: .layoutMismatch)
        }
        checked.store(true, ordering: .relaxed)
    }
}

import Flowcraft

/// A run's context stored in the Redis hash `workflow:state:<runId>` (the seed's `RedisContext`).
///
/// Values are JSON text; plain strings written by other clients read as strings. Two modes:
/// - **buffered** (what a node sees inside a distributed worker): reads hit Redis once per key and
///   are cached; writes are collected and committed atomically with the node's completion, so a
///   redelivered job never applies its writes twice;
/// - **write-through** (for tools and clients): every write is sent at once.
package final class RedisWorkflowState: WorkflowState {
    /// When writes reach Redis.
    package enum WriteMode: Sendable {
        case buffered
        case writeThrough
    }

    package let runID: String
    package let mode: WriteMode
    let key: String
    private let client: RedisClient
    private let store: PthreadMutex<Store>

    private struct Store {
        /// Values read from Redis (`nil` = known to be absent).
        var cache: [String: JSONValue?] = [:]
        /// Buffered writes (`nil` = delete).
        var changes: [String: JSONValue?] = [:]
        /// Keys of `changes` in the order they were first written (for `context:change` events).
        var order: [String] = []

        mutating func buffer(_ key: String, _ value: JSONValue?) {
            if changes.updateValue(value, forKey: key) == nil { order.append(key) }
        }
    }

    /// - Parameter prefetched: values already read (e.g. with the job's `HMGET`); `nil` values mark
    ///   keys known to be absent.
    package init(runID: String, client: RedisClient, mode: WriteMode = .writeThrough, prefetched: [String: JSONValue?] = [:]) {
        self.runID = runID
        self.mode = mode
        self.client = client
        self.key = DistributedKeys(runID: runID).state
        self.store = PthreadMutex(Store(cache: prefetched))
    }

    package func get(_ key: String) async throws -> JSONValue? {
        let known: JSONValue?? = store.withLock { store in
            if let change = store.changes[key] { return .some(change) }
            if let cached = store.cache[key] { return .some(cached) }
            return .none
        }
        if let known { return known }
        let value = try await client.execute(HGET(key: self.key, field: key)).map(StateValueCoding.decode)
        store.withLock { $0.cache[key] = .some(value) }
        return value
    }

    /// Reads several keys in one round trip (`HMGET`), caching them.
    package func get(_ keys: [String]) async throws -> [String: JSONValue] {
        var result: [String: JSONValue] = [:]
        let missing: [String] = store.withLock { store in
            var missing: [String] = []
            for key in keys {
                if let change = store.changes[key] {
                    if let change { result[key] = change }
                } else if let cached = store.cache[key] {
                    if let cached { result[key] = cached }
                } else {
                    missing.append(key)
                }
            }
            return missing
        }
        guard !missing.isEmpty else { return result }
        let values = try await client.execute(HMGET(key: key, fields: missing))
        store.withLock { store in
            for (i, key) in missing.enumerated() {
                let value = i < values.count ? values[i].map(StateValueCoding.decode) : nil
                store.cache[key] = .some(value)
                if let value { result[key] = value }
            }
        }
        return result
    }

    package func set(_ key: String, _ value: JSONValue) async throws {
        try await patch([key: value])
    }

    package func delete(_ key: String) async throws {
        switch mode {
        case .buffered:
            store.withLock { $0.buffer(key, nil) }
        case .writeThrough:
            _ = try await client.execute(HDEL(key: self.key, fields: [key]))
            store.withLock { $0.cache[key] = .some(nil) }
        }
    }

    package func patch(_ values: [String: JSONValue]) async throws {
        guard !values.isEmpty else { return }
        switch mode {
        case .buffered:
            store.withLock { store in
                for (key, value) in values.sorted(by: { $0.key < $1.key }) { store.buffer(key, value) }
            }
        case .writeThrough:
            let fields = values.sorted(by: { $0.key < $1.key }).map { (field: $0.key, value: StateValueCoding.encode($0.value)) }
            _ = try await client.execute(HSET(key: key, fields: fields))
            store.withLock { store in
                for (key, value) in values { store.cache[key] = .some(value) }
            }
        }
    }

    package func snapshot() async throws -> [String: JSONValue] {
        let reply = try await client.execute(HGETALL(key: key))
        var result: [String: JSONValue] = [:]
        for (field, value) in reply.keyValuePairs ?? [:] {
            if let decoded = StateValueCoding.decode(value) { result[field] = decoded }
        }
        return store.withLock { store in
            for (key, change) in store.changes {
                if let change { result[key] = change } else { result.removeValue(forKey: key) }
            }
            return result
        }
    }

    /// The buffered keys in the order they were first written.
    func bufferedWriteOrder() -> [String] {
        store.withLock { $0.order }
    }

    /// The buffered writes: values to set and keys to delete, sorted for deterministic commits.
    func bufferedChanges() -> (set: [(String, JSONValue)], deleted: [String]) {
        store.withLock { store in
            var set: [(String, JSONValue)] = []
            var deleted: [String] = []
            for (key, change) in store.changes.sorted(by: { $0.key < $1.key }) {
                if let change { set.append((key, change)) } else { deleted.append(key) }
            }
            return (set, deleted)
        }
    }
}

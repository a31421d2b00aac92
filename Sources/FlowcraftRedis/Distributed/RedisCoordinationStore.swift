/// Distributed counters, flags and locks in Redis (the seed's `RedisCoordinationStore`).
///
/// Keys are used as given; the engine itself keeps its coordination keys under `flowcraft:`.
public struct RedisCoordinationStore: Sendable {
    let client: RedisClient

    public init(client: RedisClient) { self.client = client }

    /// Adds 1 to the counter at `key` and returns the new value; sets its lifetime when given.
    @discardableResult
    public func increment(_ key: String, ttlSeconds: Int? = nil) async throws -> Int {
        guard let ttlSeconds, ttlSeconds > 0 else { return try await client.execute(INCR(key: key)) }
        let (value, _) = try await client.execute(INCR(key: key), EXPIRE(key: key, seconds: ttlSeconds))
        return try value.get()
    }

    /// Stores `value` only when `key` does not exist (a lock or a once-only flag); true when stored.
    public func setIfNotExist(_ key: String, value: String, ttlSeconds: Int? = nil) async throws -> Bool {
        let expiry = ttlSeconds.flatMap { $0 > 0 ? SET.Expiry.seconds($0) : nil }
        return try await client.execute(SET(key: key, value: value, onlyIfNotExists: true, expiry: expiry)) != nil
    }

    /// Renews the lifetime of `key`; false when it does not exist.
    @discardableResult
    public func extendTTL(_ key: String, ttlSeconds: Int) async throws -> Bool {
        try await client.execute(EXPIRE(key: key, seconds: max(1, ttlSeconds)))
    }

    /// Removes `key`.
    public func delete(_ key: String) async throws {
        _ = try await client.execute(DEL(key))
    }

    /// The value at `key`, or `nil`.
    public func get(_ key: String) async throws -> String? {
        try await client.execute(GET(key: key))
    }
}

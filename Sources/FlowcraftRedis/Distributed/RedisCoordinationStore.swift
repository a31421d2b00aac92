/// Distributed counters, flags and locks in Redis (the seed's `RedisCoordinationStore`).
///
/// Keys are used as given; the engine itself keeps its coordination keys under `flowcraft:`.
public struct RedisCoordinationStore: Sendable {
    let client: RedisClient

    public init(client: RedisClient) { self.client = client }

    /// Adds 1 to the counter at `key` and returns the new value; sets its lifetime when given.
    @discardableResult
    public func increment(_ key: String, ttlSeconds: Int? = nil) async throws -> Int {
        var commands = [RedisCommand(["INCR", key])]
        if let ttlSeconds, ttlSeconds > 0 { commands.append(RedisCommand(["EXPIRE", key, String(ttlSeconds)])) }
        let replies = try await client.pipeline(commands)
        if let message = replies.first?.errorMessage { throw RedisError.server(message, command: "INCR") }
        guard let value = replies.first?.int else { throw RedisError.protocol("INCR returned \(replies)") }
        return value
    }

    /// Stores `value` only when `key` does not exist (a lock or a once-only flag); true when stored.
    public func setIfNotExist(_ key: String, value: String, ttlSeconds: Int? = nil) async throws -> Bool {
        var arguments = ["SET", key, value, "NX"]
        if let ttlSeconds, ttlSeconds > 0 { arguments += ["EX", String(ttlSeconds)] }
        return !(try await client.send(RedisCommand(arguments))).isNull
    }

    /// Renews the lifetime of `key`; false when it does not exist.
    @discardableResult
    public func extendTTL(_ key: String, ttlSeconds: Int) async throws -> Bool {
        try await client.send(RedisCommand(["EXPIRE", key, String(max(1, ttlSeconds))])).int == 1
    }

    /// Removes `key`.
    public func delete(_ key: String) async throws {
        _ = try await client.send(RedisCommand(["DEL", key]))
    }

    /// The value at `key`, or `nil`.
    public func get(_ key: String) async throws -> String? {
        let reply = try await client.send(RedisCommand(["GET", key]))
        return reply.isNull ? nil : reply.string
    }
}

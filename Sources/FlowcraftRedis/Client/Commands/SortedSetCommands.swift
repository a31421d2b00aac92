/// `ZADD key score member`: the number of members added (0 when only the score changed).
struct ZADD: RedisTypedCommand {
    var key: String
    var score: Int
    var member: String

    var encoded: RedisCommand { RedisCommand(["ZADD", key, String(score), member]) }

    func decode(_ reply: RedisReply) throws(RedisError) -> Int {
        guard let count = reply.int else { throw unexpected(reply) }
        return count
    }
}

/// `ZREM key member…`: the number of members removed.
struct ZREM: RedisTypedCommand {
    var key: String
    var members: [String]

    var encoded: RedisCommand { RedisCommand(["ZREM", key] + members) }

    func decode(_ reply: RedisReply) throws(RedisError) -> Int {
        guard let count = reply.int else { throw unexpected(reply) }
        return count
    }
}

/// `ZCARD key`: the number of members (0 when it does not exist).
struct ZCARD: RedisTypedCommand {
    var key: String

    var encoded: RedisCommand { RedisCommand(["ZCARD", key]) }

    func decode(_ reply: RedisReply) throws(RedisError) -> Int {
        guard let count = reply.int else { throw unexpected(reply) }
        return count
    }
}

/// `ZSCORE key member`: the member's score, `nil` when it is not in the set.
struct ZSCORE: RedisTypedCommand {
    var key: String
    var member: String

    var encoded: RedisCommand { RedisCommand(["ZSCORE", key, member]) }

    func decode(_ reply: RedisReply) throws(RedisError) -> Double? { reply.double }
}

/// `ZRANGEBYSCORE key min max`: the members with a score in `min…max` (bounds as Redis spells
/// them: `-inf`, `(5`, `1700000000000`), lowest score first.
struct ZRANGEBYSCORE: RedisTypedCommand {
    var key: String
    var min: String
    var max: String

    var encoded: RedisCommand { RedisCommand(["ZRANGEBYSCORE", key, min, max]) }

    func decode(_ reply: RedisReply) throws(RedisError) -> [String] {
        (reply.array ?? []).compactMap(\.string)
    }
}

/// `BZPOPMIN key timeout`: blocks up to `timeout` seconds (sent with millisecond precision, at least
/// 1 ms) for a member of the sorted set; the popped member and its score, `nil` on time-out.
///
/// A blocking command: send it on a dedicated connection with a round-trip timeout longer than its own.
struct BZPOPMIN: RedisTypedCommand {
    /// What was popped.
    struct Popped: Sendable, Hashable {
        var key: String
        var member: String
        var score: Double
    }

    var key: String
    /// Seconds.
    var timeout: Double

    var encoded: RedisCommand { RedisCommand(["BZPOPMIN", key, Self.formatSeconds(timeout)]) }

    func decode(_ reply: RedisReply) throws(RedisError) -> Popped? {
        guard let items = reply.array, items.count == 3, let key = items[0].string, let member = items[1].string,
              let score = items[2].double
        else { return nil }
        return Popped(key: key, member: member, score: score)
    }

    /// `seconds` as Redis reads a timeout, with three decimals: `0.250`, `5.000`.
    static func formatSeconds(_ seconds: Double) -> String {
        let millis = Swift.max(1, Int((seconds * 1000).rounded()))
        let fraction = String(millis % 1000)
        return "\(millis / 1000)." + String(repeating: "0", count: 3 - fraction.count) + fraction
    }
}

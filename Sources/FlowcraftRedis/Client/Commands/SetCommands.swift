/// `SMEMBERS key`: the set's members (empty when it does not exist), in no particular order.
struct SMEMBERS: RedisTypedCommand {
    var key: String

    var encoded: RedisCommand { RedisCommand(["SMEMBERS", key]) }

    func decode(_ reply: RedisReply) throws(RedisError) -> [String] {
        (reply.array ?? []).compactMap(\.string)
    }
}

/// `SISMEMBER key member`: whether `member` is in the set.
struct SISMEMBER: RedisTypedCommand {
    var key: String
    var member: String

    var encoded: RedisCommand { RedisCommand(["SISMEMBER", key, member]) }

    func decode(_ reply: RedisReply) throws(RedisError) -> Bool { reply.int == 1 }
}

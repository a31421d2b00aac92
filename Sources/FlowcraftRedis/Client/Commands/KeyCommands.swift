/// `DEL key…`: the number of keys removed.
struct DEL: RedisTypedCommand {
    var keys: [String]

    init(_ keys: String...) { self.keys = keys }

    var encoded: RedisCommand { RedisCommand(["DEL"] + keys) }

    func decode(_ reply: RedisReply) throws(RedisError) -> Int {
        guard let count = reply.int else { throw unexpected(reply) }
        return count
    }
}

/// `EXISTS key`: whether the key exists.
struct EXISTS: RedisTypedCommand {
    var key: String

    var encoded: RedisCommand { RedisCommand(["EXISTS", key]) }

    func decode(_ reply: RedisReply) throws(RedisError) -> Bool { reply.int == 1 }
}

/// `EXPIRE key seconds`: whether the key exists (and got the lifetime).
struct EXPIRE: RedisTypedCommand {
    var key: String
    var seconds: Int

    var encoded: RedisCommand { RedisCommand(["EXPIRE", key, String(seconds)]) }

    func decode(_ reply: RedisReply) throws(RedisError) -> Bool { reply.int == 1 }
}

/// `LLEN key`: the list's length (0 when it does not exist).
struct LLEN: RedisTypedCommand {
    var key: String

    var encoded: RedisCommand { RedisCommand(["LLEN", key]) }

    func decode(_ reply: RedisReply) throws(RedisError) -> Int {
        guard let count = reply.int else { throw unexpected(reply) }
        return count
    }
}

/// `LPOS key element`: the element's first index, `nil` when it is not in the list.
struct LPOS: RedisTypedCommand {
    var key: String
    var element: String

    var encoded: RedisCommand { RedisCommand(["LPOS", key, element]) }

    func decode(_ reply: RedisReply) throws(RedisError) -> Int? { reply.int }
}

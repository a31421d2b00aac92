/// `HGET key field`: the field's value, `nil` when the field or the hash does not exist.
struct HGET: RedisTypedCommand {
    var key: String
    var field: String

    var encoded: RedisCommand { RedisCommand(["HGET", key, field]) }

    func decode(_ reply: RedisReply) throws(RedisError) -> String? { reply.string }
}

/// `HMGET key field…`: each field's value in order, `nil` for a missing one.
struct HMGET: RedisTypedCommand {
    var key: String
    var fields: [String]

    var encoded: RedisCommand { RedisCommand(["HMGET", key] + fields) }

    func decode(_ reply: RedisReply) throws(RedisError) -> [String?] {
        guard let items = reply.array else { throw unexpected(reply) }
        return items.map(\.string)
    }
}

/// `HSET key field value [field value…]`: the number of fields added (not updated).
struct HSET: RedisTypedCommand {
    var key: String
    /// Field–value pairs, written in this order.
    var fields: [(field: String, value: String)]

    init(key: String, fields: [(field: String, value: String)]) {
        self.key = key
        self.fields = fields
    }

    init(key: String, field: String, value: String) {
        self.init(key: key, fields: [(field, value)])
    }

    var encoded: RedisCommand {
        var command = RedisCommand(capacity: 2 + fields.count * 2)
        command.append("HSET")
        command.append(key)
        for (field, value) in fields {
            command.append(field)
            command.append(value)
        }
        return command
    }

    func decode(_ reply: RedisReply) throws(RedisError) -> Int {
        guard let count = reply.int else { throw unexpected(reply) }
        return count
    }
}

/// `HDEL key field…`: the number of fields removed.
struct HDEL: RedisTypedCommand {
    var key: String
    var fields: [String]

    var encoded: RedisCommand { RedisCommand(["HDEL", key] + fields) }

    func decode(_ reply: RedisReply) throws(RedisError) -> Int {
        guard let count = reply.int else { throw unexpected(reply) }
        return count
    }
}

/// `HEXISTS key field`: whether the field exists.
struct HEXISTS: RedisTypedCommand {
    var key: String
    var field: String

    var encoded: RedisCommand { RedisCommand(["HEXISTS", key, field]) }

    func decode(_ reply: RedisReply) throws(RedisError) -> Bool { reply.int == 1 }
}

/// `HGETALL key`: the hash's fields and values, empty when it does not exist.
///
/// The reply stays a ``RedisReply`` array of alternating fields and values: ``Job`` reads it with
/// its own rules (and ``RedisReply/keyValuePairs`` makes a dictionary of it).
struct HGETALL: RedisTypedCommand {
    var key: String

    var encoded: RedisCommand { RedisCommand(["HGETALL", key]) }

    func decode(_ reply: RedisReply) throws(RedisError) -> RedisReply { reply }
}

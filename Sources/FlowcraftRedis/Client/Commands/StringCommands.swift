/// `GET key`: the value, `nil` when the key does not exist.
struct GET: RedisTypedCommand {
    var key: String

    var encoded: RedisCommand { RedisCommand(["GET", key]) }

    func decode(_ reply: RedisReply) throws(RedisError) -> String? { reply.string }
}

/// `SET key value [NX] [GET] [EX seconds | PX milliseconds]`.
///
/// The reply: `"OK"` when stored (`nil` when `NX` found the key); with `GET`, the previous value
/// (`nil` when there was none).
struct SET: RedisTypedCommand {
    /// The key's lifetime.
    enum Expiry: Sendable, Hashable {
        case seconds(Int)
        case milliseconds(Int)
    }

    var key: String
    var value: String
    /// `NX`: only when the key does not exist.
    var onlyIfNotExists = false
    /// `GET`: reply with the previous value.
    var returnPrevious = false
    var expiry: Expiry?

    var encoded: RedisCommand {
        var arguments = ["SET", key, value]
        if onlyIfNotExists { arguments.append("NX") }
        if returnPrevious { arguments.append("GET") }
        switch expiry {
        case .seconds(let seconds)?: arguments += ["EX", String(seconds)]
        case .milliseconds(let milliseconds)?: arguments += ["PX", String(milliseconds)]
        case nil: break
        }
        return RedisCommand(arguments)
    }

    func decode(_ reply: RedisReply) throws(RedisError) -> String? { reply.string }
}

/// `INCR key`: the new value.
struct INCR: RedisTypedCommand {
    var key: String

    var encoded: RedisCommand { RedisCommand(["INCR", key]) }

    func decode(_ reply: RedisReply) throws(RedisError) -> Int {
        guard let value = reply.int else { throw unexpected(reply) }
        return value
    }
}

/// Where a command's keys are, for routing it in a Redis Cluster: a small table covering the commands
/// this code base sends (typed commands, scripts, the queue, the dashboard and the CLI).
///
/// Commands not in the table are sent to any master; if that node does not serve their key it
/// answers `MOVED` and the client follows.
enum ClusterKeyPositions: Sendable, Equatable {
    /// No key: any master may run it.
    case keyless
    /// The key is the first argument after the name.
    case first
    /// Every argument after the name is a key (`DEL`, `EXISTS`, `SUNION`, `MGET`).
    case all
    /// Keys are every other argument after the name (`MSET key value …`).
    case everyOther
    /// All arguments after the name except the last are keys (`BZPOPMIN key… timeout`).
    case allButLast
    /// `EVAL`/`EVALSHA script numkeys key…`: the keys after the count.
    case afterCount

    /// The positions for a command named `name` (any case).
    static func of(_ name: [UInt8]) -> ClusterKeyPositions {
        table[String(decoding: name, as: UTF8.self).uppercased()] ?? .keyless
    }

    private static let table: [String: ClusterKeyPositions] = {
        var table: [String: ClusterKeyPositions] = [:]
        let first = [
            // strings and keys
            "GET", "SET", "SETNX", "SETEX", "PSETEX", "GETSET", "GETDEL", "GETEX", "INCR", "INCRBY", "DECR", "DECRBY",
            "APPEND", "STRLEN", "EXPIRE", "PEXPIRE", "EXPIREAT", "PEXPIREAT", "TTL", "PTTL", "PERSIST", "TYPE",
            "DUMP", "RESTORE",
            // hashes
            "HGET", "HSET", "HSETNX", "HMSET", "HMGET", "HGETALL", "HDEL", "HEXISTS", "HINCRBY", "HLEN", "HKEYS",
            "HVALS", "HSCAN",
            // lists
            "LPUSH", "RPUSH", "LPOP", "RPOP", "LLEN", "LRANGE", "LREM", "LPOS", "LINDEX", "LTRIM", "LSET",
            // sets
            "SADD", "SREM", "SISMEMBER", "SMEMBERS", "SCARD", "SSCAN",
            // sorted sets
            "ZADD", "ZREM", "ZCARD", "ZSCORE", "ZINCRBY", "ZRANGE", "ZREVRANGE", "ZRANGEBYSCORE", "ZREVRANGEBYSCORE",
            "ZREMRANGEBYSCORE", "ZRANK", "ZCOUNT", "ZPOPMIN", "ZSCAN",
            // streams
            "XADD", "XLEN", "XRANGE", "XREVRANGE", "XTRIM", "XDEL",
        ]
        for name in first { table[name] = .first }
        for name in ["DEL", "UNLINK", "EXISTS", "TOUCH", "MGET", "SUNION", "SINTER", "SDIFF", "WATCH"] {
            table[name] = .all
        }
        table["MSET"] = .everyOther
        table["MSETNX"] = .everyOther
        for name in ["BZPOPMIN", "BZPOPMAX", "BLPOP", "BRPOP"] { table[name] = .allButLast }
        for name in ["EVAL", "EVALSHA", "EVAL_RO", "EVALSHA_RO", "FCALL", "FCALL_RO"] { table[name] = .afterCount }
        return table
    }()

    /// The keys of `arguments` (the command name first).
    func keys(in arguments: [[UInt8]]) -> ArraySlice<[UInt8]> {
        switch self {
        case .keyless:
            return []
        case .first:
            return arguments.count > 1 ? arguments[1...1] : []
        case .all:
            return arguments.dropFirst()
        case .everyOther:
            return ArraySlice(arguments.dropFirst().enumerated().filter { $0.offset % 2 == 0 }.map(\.element))
        case .allButLast:
            return arguments.count > 2 ? arguments[1..<(arguments.count - 1)] : []
        case .afterCount:
            guard arguments.count > 2, let count = Int(String(decoding: arguments[2], as: UTF8.self)), count > 0
            else { return [] }
            return arguments[3..<min(arguments.count, 3 + count)]
        }
    }
}

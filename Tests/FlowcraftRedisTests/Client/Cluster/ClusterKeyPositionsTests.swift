@testable import FlowcraftRedis
import Testing

/// The routing table: which arguments of each command are keys.
@Suite("Redis Cluster key positions")
struct ClusterKeyPositionsTests {
    private func keys(_ arguments: [String]) -> [String] {
        let bytes = arguments.map { Array($0.utf8) }
        return ClusterKeyPositions.of(bytes[0]).keys(in: bytes).map { String(decoding: $0, as: UTF8.self) }
    }

    @Test func singleKeyCommands() {
        #expect(keys(["GET", "a"]) == ["a"])
        #expect(keys(["set", "a", "1", "PX", "100"]) == ["a"])
        #expect(keys(["HMGET", "h", "f1", "f2"]) == ["h"])
        #expect(keys(["ZREVRANGEBYSCORE", "z", "+inf", "-inf", "LIMIT", "0", "10"]) == ["z"])
        #expect(keys(["XRANGE", "s", "-", "+", "COUNT", "10"]) == ["s"])
        #expect(keys(["LRANGE", "l", "0", "-1"]) == ["l"])
        #expect(keys(["GET"]) == [])
    }

    @Test func multiKeyCommands() {
        #expect(keys(["DEL", "a", "b", "c"]) == ["a", "b", "c"])
        #expect(keys(["EXISTS", "a"]) == ["a"])
        #expect(keys(["SUNION", "a", "b"]) == ["a", "b"])
        #expect(keys(["MSET", "a", "1", "b", "2"]) == ["a", "b"])
    }

    @Test func blockingPopsEndWithATimeout() {
        #expect(keys(["BZPOPMIN", "a", "b", "5"]) == ["a", "b"])
        #expect(keys(["BZPOPMIN", "5"]) == [])
    }

    @Test func scriptsNameTheirKeysAfterTheCount() {
        #expect(keys(["EVALSHA", "sha", "2", "k1", "k2", "arg"]) == ["k1", "k2"])
        #expect(keys(["EVAL", "return 1", "0", "arg"]) == [])
        // A count larger than the arguments: the keys present.
        #expect(keys(["EVALSHA", "sha", "3", "k1"]) == ["k1"])
        #expect(keys(["EVALSHA", "sha", "x", "k1"]) == [])
    }

    @Test func keylessAndUnknownCommandsGoAnywhere() {
        for command in [["PING"], ["SCRIPT", "LOAD", "x"], ["INFO"], ["CLUSTER", "SHARDS"], ["SOMETHINGNEW", "x"]] {
            #expect(keys(command) == [])
        }
    }

    /// Every command name the code base sends must be in the table (or be keyless on purpose).
    @Test func theCodeBasesCommandsAreRouted() {
        let keyed = [
            "GET", "SET", "INCR", "EXPIRE", "HGET", "HSET", "HMGET", "HGETALL", "HDEL", "HEXISTS", "LLEN", "LPOS",
            "LRANGE", "SISMEMBER", "SMEMBERS", "ZADD", "ZCARD", "ZREM", "ZSCORE", "ZRANGEBYSCORE",
            "ZREVRANGEBYSCORE", "XRANGE", "BZPOPMIN", "DEL", "EXISTS", "SUNION", "EVALSHA", "EVAL",
        ]
        for name in keyed {
            #expect(ClusterKeyPositions.of(Array(name.utf8)) != .keyless, "\(name)")
        }
    }
}

@testable import FlowcraftRedis
import Testing

private func text(_ command: some RedisTypedCommand) -> [String] {
    command.encoded.arguments.map { String(decoding: $0, as: UTF8.self) }
}

private func bulk(_ text: String) -> RedisReply { .bulk(Array(text.utf8)) }

/// What each typed command sends and how it reads its reply, without Redis.
@Suite("Typed Redis commands")
struct TypedCommandTests {
    @Test func encodesArgumentsByName() {
        #expect(text(GET(key: "k")) == ["GET", "k"])
        #expect(text(SET(key: "k", value: "v")) == ["SET", "k", "v"])
        #expect(text(SET(key: "k", value: "v", onlyIfNotExists: true, expiry: .seconds(5))) == ["SET", "k", "v", "NX", "EX", "5"])
        #expect(
            text(SET(key: "k", value: "v", onlyIfNotExists: true, returnPrevious: true, expiry: .milliseconds(60_000)))
                == ["SET", "k", "v", "NX", "GET", "PX", "60000"])
        #expect(text(INCR(key: "c")) == ["INCR", "c"])
        #expect(text(DEL("a", "b")) == ["DEL", "a", "b"])
        #expect(text(EXISTS(key: "k")) == ["EXISTS", "k"])
        #expect(text(EXPIRE(key: "k", seconds: 9)) == ["EXPIRE", "k", "9"])
        #expect(text(HGET(key: "h", field: "f")) == ["HGET", "h", "f"])
        #expect(text(HMGET(key: "h", fields: ["a", "b"])) == ["HMGET", "h", "a", "b"])
        #expect(text(HSET(key: "h", fields: [("a", "1"), ("b", "2")])) == ["HSET", "h", "a", "1", "b", "2"])
        #expect(text(HSET(key: "h", field: "a", value: "1")) == ["HSET", "h", "a", "1"])
        #expect(text(HDEL(key: "h", fields: ["a"])) == ["HDEL", "h", "a"])
        #expect(text(HEXISTS(key: "h", field: "f")) == ["HEXISTS", "h", "f"])
        #expect(text(HGETALL(key: "h")) == ["HGETALL", "h"])
        #expect(text(SMEMBERS(key: "s")) == ["SMEMBERS", "s"])
        #expect(text(SISMEMBER(key: "s", member: "m")) == ["SISMEMBER", "s", "m"])
        #expect(text(ZADD(key: "z", score: 12, member: "m")) == ["ZADD", "z", "12", "m"])
        #expect(text(ZREM(key: "z", members: ["m"])) == ["ZREM", "z", "m"])
        #expect(text(ZCARD(key: "z")) == ["ZCARD", "z"])
        #expect(text(ZSCORE(key: "z", member: "m")) == ["ZSCORE", "z", "m"])
        #expect(text(ZRANGEBYSCORE(key: "z", min: "-inf", max: "17")) == ["ZRANGEBYSCORE", "z", "-inf", "17"])
        #expect(text(LLEN(key: "l")) == ["LLEN", "l"])
        #expect(text(LPOS(key: "l", element: "e")) == ["LPOS", "l", "e"])
        let script = RedisScript(name: "one", source: "return 1")
        #expect(text(SCRIPT.LOAD(script: script)) == ["SCRIPT", "LOAD", "return 1"])
    }

    @Test func blockingPopTimeoutHasMillisecondPrecision() {
        #expect(text(BZPOPMIN(key: "m", timeout: 5)) == ["BZPOPMIN", "m", "5.000"])
        #expect(text(BZPOPMIN(key: "m", timeout: 0.25)) == ["BZPOPMIN", "m", "0.250"])
        // Never 0, which would block forever.
        #expect(text(BZPOPMIN(key: "m", timeout: 0.0001)) == ["BZPOPMIN", "m", "0.001"])
    }

    @Test func decodesReplies() throws {
        #expect(try GET(key: "k").decode(bulk("v")) == "v")
        #expect(try GET(key: "k").decode(.null) == nil)
        #expect(try SET(key: "k", value: "v", onlyIfNotExists: true).decode(.null) == nil)
        #expect(try SET(key: "k", value: "v").decode(.status("OK")) == "OK")
        #expect(try INCR(key: "c").decode(.integer(3)) == 3)
        #expect(try EXISTS(key: "k").decode(.integer(1)))
        #expect(try !EXISTS(key: "k").decode(.integer(0)))
        #expect(try HMGET(key: "h", fields: ["a", "b"]).decode(.array([bulk("1"), .null])) == ["1", nil])
        #expect(try SMEMBERS(key: "s").decode(.array([bulk("a"), bulk("b")])) == ["a", "b"])
        #expect(try SISMEMBER(key: "s", member: "m").decode(.integer(1)))
        #expect(try ZSCORE(key: "z", member: "m").decode(bulk("1.5")) == 1.5)
        #expect(try ZSCORE(key: "z", member: "m").decode(.null) == nil)
        #expect(try LPOS(key: "l", element: "e").decode(.integer(0)) == 0)
        #expect(try LPOS(key: "l", element: "e").decode(.null) == nil)
        #expect(
            try BZPOPMIN(key: "m", timeout: 1).decode(.array([bulk("m"), bulk("1"), bulk("1700000000000")]))
                == BZPOPMIN.Popped(key: "m", member: "1", score: 1_700_000_000_000))
        #expect(try BZPOPMIN(key: "m", timeout: 1).decode(.null) == nil)
    }

    @Test func aReplyOfTheWrongTypeIsAProtocolErrorNamingTheCommand() {
        #expect(throws: RedisError.self) { try INCR(key: "c").decode(.array([])) }
        let result = HMGET(key: "h", fields: ["a"]).result(of: .integer(1))
        guard case .failure(let error) = result else {
            Issue.record("expected a failure, got \(result)")
            return
        }
        #expect(error.kind == .protocol)
        #expect(error.command == "HMGET")
    }

    @Test func anErrorReplyIsAServerFailureNamingTheCommand() throws {
        let result = GET(key: "k").result(of: .error("WRONGTYPE Operation against a key holding the wrong kind of value"))
        #expect(throws: RedisError.self) { try result.get() }
        do throws(RedisError) {
            _ = try result.get(as: "status")
            Issue.record("expected a throw")
        } catch {
            #expect(error.kind == .server)
            #expect(error.command == "status")
            #expect(error.message.hasPrefix("WRONGTYPE"))
        }
    }
}

/// Typed commands against a real server: one round trip for a tuple of commands.
@Suite("Typed Redis commands in Redis", .requiresRedis)
struct TypedCommandRedisTests {
    @Test func aTupleOfCommandsIsOnePipelinedRoundTrip() async throws {
        let client = try TestRedis.client(poolSize: 1)
        let key = TestRedis.uniqueKey()
        _ = try await client.execute(HSET(key: key, fields: [("a", "1"), ("b", "2")]))
        let before = client.statistics
        let (values, exists, missing, wrongType) = try await client.execute(
            HMGET(key: key, fields: ["a", "zz", "b"]), EXISTS(key: key), GET(key: key + ":none"), GET(key: key))
        let after = client.statistics
        #expect(after.roundTrips - before.roundTrips == 1)
        #expect(after.commands - before.commands == 4)
        #expect(try values.get() == ["1", nil, "2"])
        #expect(try exists.get())
        #expect(try missing.get() == nil)
        // An error reply fails only its own command.
        #expect(throws: RedisError.self) { try wrongType.get() }
        #expect(try await client.execute(DEL(key)) == 1)
        await client.close()
    }
}

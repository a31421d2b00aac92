import FlowcraftRedis
import Testing

@Suite("Redis connection against the test Redis", .requiresRedis)
struct RedisConnectionTests {
    @Test func sendAndTypedReplies() async throws {
        let connection = try await TestRedis.connection()
        let key = TestRedis.uniqueKey()
        #expect(try await connection.send(["PING"]) == .status("PONG"))
        #expect(try await connection.send(["SET", key, "v"]) == .status("OK"))
        #expect(try await connection.send(["GET", key]).string == "v")
        #expect(try await connection.send(["INCR", key + ":n"]) == .integer(1))
        #expect(try await connection.send(["GET", key + ":missing"]) == .null)
        #expect(try await connection.send(["MGET", key, key + ":missing"]) == .array([.bulk(Array("v".utf8)), .null]))
        _ = try await connection.send(["DEL", key, key + ":n"])
        await connection.close()
    }

    @Test func pipelineKeepsOrderAndReturnsErrorsInPlace() async throws {
        let connection = try await TestRedis.connection()
        let key = TestRedis.uniqueKey()
        var commands: [[String]] = [["DEL", key]]
        for index in 0..<500 {
            commands.append(["RPUSH", key, String(index)])
        }
        commands.append(["HGET", key, "field"])     // WRONGTYPE, mid-pipeline
        commands.append(["LLEN", key])
        let replies = try await connection.pipeline(commands)
        #expect(replies.count == commands.count)
        for index in 0..<500 {
            #expect(replies[index + 1] == .integer(index + 1))
        }
        #expect(replies[501].errorMessage?.hasPrefix("WRONGTYPE") == true)
        #expect(replies[502] == .integer(500))
        let range = try await connection.send(["LRANGE", key, "0", "-1"])
        #expect(range.array?.compactMap(\.string) == (0..<500).map(String.init))
        _ = try await connection.send(["DEL", key])
        await connection.close()
    }

    @Test func errorReplyThrowsTypedErrorNamingTheCommand() async throws {
        let connection = try await TestRedis.connection()
        let key = TestRedis.uniqueKey()
        _ = try await connection.send(["LPUSH", key, "x"])
        await #expect {
            _ = try await connection.send(["get", key])
        } throws: { error in
            guard let error = error as? RedisError else { return false }
            return error.kind == .server && error.command == "GET" && error.serverErrorCode == "WRONGTYPE"
        }
        // The connection stays usable after an error reply.
        #expect(try await connection.send(["LLEN", key]) == .integer(1))
        await #expect(throws: RedisError.self) { _ = try await connection.send(["NOSUCHCOMMAND"]) }
        // An empty command is refused locally (Redis would never answer it).
        await #expect {
            _ = try await connection.send([])
        } throws: { error in
            (error as? RedisError)?.kind == .protocol
        }
        #expect(try await connection.send(["LLEN", key]) == .integer(1))
        _ = try await connection.send(["DEL", key])
        await connection.close()
    }

    @Test func autoPipelinesManyConcurrentCallers() async throws {
        let connection = try await TestRedis.connection()
        let key = TestRedis.uniqueKey()
        try await withThrowingTaskGroup(of: Void.self) { group in
            for caller in 0..<100 {
                group.addTask {
                    for round in 0..<20 {
                        let field = "\(caller):\(round)"
                        _ = try await connection.send(["HSET", key, field, field])
                        let value = try await connection.send(["HGET", key, field])
                        #expect(value.string == field)
                    }
                }
            }
            try await group.waitForAll()
        }
        #expect(try await connection.send(["HLEN", key]) == .integer(2000))
        _ = try await connection.send(["DEL", key])
        await connection.close()
    }

    @Test func binarySafeValues() async throws {
        let connection = try await TestRedis.connection()
        let key = TestRedis.uniqueKey()
        let allBytes = (0...255).map { UInt8($0) } + [0, 0, 13, 10, 36]
        _ = try await connection.send(bytes: [Array("SET".utf8), Array(key.utf8), allBytes])
        #expect(try await connection.send(["GET", key]) == .bulk(allBytes))
        #expect(try await connection.send(["STRLEN", key]) == .integer(allBytes.count))
        // Binary keys and empty values.
        let binaryKey = Array(key.utf8) + [0, 1, 2]
        _ = try await connection.send(bytes: [Array("SET".utf8), binaryKey, []])
        #expect(try await connection.send(bytes: [Array("GET".utf8), binaryKey]) == .bulk([]))
        _ = try await connection.send(bytes: [Array("DEL".utf8), Array(key.utf8), binaryKey])
        await connection.close()
    }

    @Test func largeValues() async throws {
        let connection = try await TestRedis.connection()
        let key = TestRedis.uniqueKey()
        var large = [UInt8](repeating: 0, count: 10 * 1024 * 1024)
        for index in large.indices { large[index] = UInt8(truncatingIfNeeded: index &* 31 &+ index >> 8) }
        _ = try await connection.send(bytes: [Array("SET".utf8), Array(key.utf8), large])
        // Concurrent small commands share round trips with the large ones and still line up.
        async let small = connection.send(["STRLEN", key])
        let fetched = try await connection.send(["GET", key])
        #expect(fetched.bytes?.count == large.count)
        #expect(fetched == .bulk(large))
        #expect(try await small == .integer(large.count))
        _ = try await connection.send(["DEL", key])
        await connection.close()
    }

    @Test func selectsTheConfiguredDatabase() async throws {
        var configuration = try TestRedis.configuration()
        configuration.database = 7
        let inDatabase7 = try await RedisConnection.connect(configuration)
        configuration.database = 0
        let inDatabase0 = try await RedisConnection.connect(configuration)
        let key = TestRedis.uniqueKey()
        _ = try await inDatabase7.send(["SET", key, "seven"])
        #expect(try await inDatabase7.send(["GET", key]).string == "seven")
        #expect(try await inDatabase0.send(["EXISTS", key]) == .integer(0))
        let clientInfo = try await inDatabase7.send(["CLIENT", "INFO"]).string ?? ""
        #expect(clientInfo.contains(" db=7 "))
        _ = try await inDatabase7.send(["DEL", key])
        await inDatabase7.close()
        await inDatabase0.close()
    }

    @Test func evalScriptAndPipelinedScriptCalls() async throws {
        let connection = try await TestRedis.connection()
        let key = TestRedis.uniqueKey()
        // A script no other test uses, so the first call goes through the NOSCRIPT → EVAL fallback.
        let script = RedisScript(name: "appendTwice", source: "-- \(key)\nredis.call('APPEND', KEYS[1], ARGV[1]); return redis.call('APPEND', KEYS[1], ARGV[1])")
        #expect(try await connection.evalScript(script, keys: [key], arguments: ["ab"]) == .integer(4))
        #expect(try await connection.evalScript(script, keys: [key], arguments: ["c"]) == .integer(6))
        let sha = try await connection.send(["SCRIPT", "LOAD", script.source]).string
        #expect(sha == script.sha1)

        let replies = try await connection.pipeline([
            script.evalSHACommand(keys: [key], arguments: ["d"]),
            RedisCommand(["GET", key]),
        ])
        #expect(replies == [.integer(8), .bulk(Array("ababccdd".utf8))])
        _ = try await connection.send(["DEL", key])
        await connection.close()
    }

    @Test func scriptErrorsNameTheScript() async throws {
        let connection = try await TestRedis.connection()
        let script = RedisScript(name: "failing", source: "return redis.error_reply('BOOM went the script')")
        await #expect {
            _ = try await connection.evalScript(script, keys: [], arguments: [])
        } throws: { error in
            guard let error = error as? RedisError else { return false }
            return error.kind == .server && error.message.contains("BOOM") && (error.command ?? "").contains("failing")
        }
        await connection.close()
    }

    @Test func blockingCommandWithLongerTimeoutOnADedicatedConnection() async throws {
        var configuration = try TestRedis.configuration()
        configuration.clientName = "blpop-\(UInt32.random(in: 0...UInt32.max))"
        let client = RedisClient(configuration: configuration)
        let blocking = try await client.dedicatedConnection()
        let key = TestRedis.uniqueKey()
        async let popped = blocking.send(RedisCommand(["BLPOP", key, "5"]), timeout: .seconds(10))
        // The pool is not blocked by the dedicated connection's BLPOP.
        try await TestRedis.waitUntilBlocked(clientName: configuration.clientName ?? "", command: "blpop", observer: client)
        _ = try await client.send(["RPUSH", key, "job"])
        #expect(try await popped == .array([.bulk(Array(key.utf8)), .bulk(Array("job".utf8))]))
        await blocking.close()
        await client.close()
    }

    @Test func clientPoolSendsAndPreloads() async throws {
        let client = try TestRedis.client(poolSize: 3)
        let key = TestRedis.uniqueKey()
        let script = RedisScript(name: "preloaded", source: "-- \(key)\nreturn ARGV[1] .. ARGV[2]")
        try await client.preload([script])
        #expect(try await client.send(["SCRIPT", "EXISTS", script.sha1]) == .array([.integer(1)]))
        try await withThrowingTaskGroup(of: Void.self) { group in
            for index in 0..<50 {
                group.addTask {
                    let reply = try await client.evalScript(script, keys: [], arguments: ["a", String(index)])
                    #expect(reply.string == "a\(index)")
                    _ = try await client.send(["SADD", key, String(index)])
                }
            }
            try await group.waitForAll()
        }
        #expect(try await client.send(["SCARD", key]) == .integer(50))
        let pipelined = try await client.pipeline([["SCARD", key], ["DEL", key]])
        #expect(pipelined == [.integer(50), .integer(1)])
        await client.close()
        await #expect {
            _ = try await client.send(["PING"])
        } throws: { error in
            (error as? RedisError)?.kind == .closed
        }
    }
}

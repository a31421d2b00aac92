import FlowcraftRedis
import Testing

@Suite("Redis replies, commands and scripts")
struct RedisReplyTests {
    @Test func conveniences() {
        #expect(RedisReply.bulk(Array("héllo".utf8)).string == "héllo")
        #expect(RedisReply.status("OK").string == "OK")
        #expect(RedisReply.integer(42).int == 42)
        #expect(RedisReply.bulk(Array("-17".utf8)).int == -17)
        #expect(RedisReply.bulk(Array("12a".utf8)).int == nil)
        #expect(RedisReply.bulk(Array("99999999999999999999".utf8)).int == nil)
        #expect(RedisReply.bulk(Array("1.5".utf8)).double == 1.5)
        #expect(RedisReply.null.isNull)
        #expect(RedisReply.null.string == nil)
        #expect(RedisReply.array([.integer(1)]).array == [.integer(1)])
        #expect(RedisReply.error("ERR x").errorMessage == "ERR x")
        let hash = RedisReply.array([.bulk(Array("a".utf8)), .integer(1), .bulk(Array("b".utf8)), .null])
        #expect(hash.keyValuePairs == ["a": .integer(1), "b": .null])
        #expect(RedisReply.array([.integer(1)]).keyValuePairs == nil)
    }

    @Test func commandEncoding() {
        var command = RedisCommand(["SET", "k"])
        command.append(bytes: [0, 255, 10])
        command.append(12)
        command.append("")
        #expect(command.argumentCount == 5)
        #expect(command.arguments == [Array("SET".utf8), Array("k".utf8), [0, 255, 10], Array("12".utf8), []])
        #expect(command.name == "SET")
    }

    @Test(arguments: [
        ("", "da39a3ee5e6b4b0d3255bfef95601890afd80709"),
        ("abc", "a9993e364706816aba3e25717850c26c9cd0d89d"),
        ("abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq", "84983e441c3bd26ebaae4aa1f95129e5e54670f1"),
        ("return 1", "e0e1f9fabfc9d4800c877a703b823ac0578ff8db"),
    ])
    func sha1(source: String, expected: String) {
        #expect(RedisScript(name: "t", source: source).sha1 == expected)
    }

    @Test func sha1OfLongInput() {
        // One million 'a's: a standard test vector that crosses many 64-byte blocks.
        let script = RedisScript(name: "t", source: String(repeating: "a", count: 1_000_000))
        #expect(script.sha1 == "34aa973cd4c4daa4f61eeb2bdbad27316534016f")
    }

    @Test func errorDescriptionsNameTheCommand() {
        let error = RedisError.server("WRONGTYPE Operation against a key holding the wrong kind of value", command: "GET")
        #expect(error.description.contains("GET"))
        #expect(error.description.contains("WRONGTYPE"))
        #expect(error.serverErrorCode == "WRONGTYPE")
        #expect(!error.isTransient)
        #expect(RedisError.timeout().isTransient)
    }
}

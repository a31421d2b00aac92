@testable import FlowcraftRedis
import Testing

/// Hash slots computed locally must match the server's (CRC16-XMODEM mod 16384, hash tags).
@Suite("Redis Cluster key slots")
struct RedisClusterSlotTests {
    @Test func crc16MatchesTheXModemCheckValue() {
        #expect(RedisClusterSlot.crc16(Array("123456789".utf8)) == 0x31C3)
        #expect(RedisClusterSlot.crc16([UInt8]()) == 0)
    }

    @Test func knownSlots() {
        #expect(RedisClusterSlot.of("foo") == 12182)
        #expect(RedisClusterSlot.of("bar") == 5061)
        #expect(RedisClusterSlot.of("") == 0)
        #expect(RedisClusterSlot.of(bytes: Array("foo".utf8)) == 12182)
    }

    @Test func hashTagsShareASlot() {
        #expect(RedisClusterSlot.of("{user1000}.following") == RedisClusterSlot.of("{user1000}.followers"))
        #expect(RedisClusterSlot.of("{user1000}.following") == RedisClusterSlot.of("user1000"))
        #expect(RedisClusterSlot.of("bq:{q}:wait") == RedisClusterSlot.of("q"))
    }

    @Test func anEmptyTagHashesTheWholeKey() {
        #expect(RedisClusterSlot.of("foo{}{bar}") == Int(RedisClusterSlot.crc16(Array("foo{}{bar}".utf8)) & 0x3FFF))
        #expect(RedisClusterSlot.of("foo{}{bar}") != RedisClusterSlot.of("bar"))
    }

    @Test func theTagEndsAtTheFirstClosingBraceAfterTheFirstOpeningOne() {
        #expect(RedisClusterSlot.of("foo{{bar}}zap") == RedisClusterSlot.of("{bar"))
        #expect(RedisClusterSlot.of("foo{bar}{zap}") == RedisClusterSlot.of("bar"))
        // No closing brace: the whole key.
        #expect(RedisClusterSlot.of("foo{bar") == Int(RedisClusterSlot.crc16(Array("foo{bar".utf8)) & 0x3FFF))
    }

    @Test func slotsAreInRange() {
        for index in 0..<2000 {
            #expect((0..<16384).contains(RedisClusterSlot.of("key:\(index)")))
        }
    }

    @Test func commandSlotsUseTheKeyPositions() throws {
        #expect(try RedisClusterSlot.of(command: RedisCommand(["GET", "foo"])) == 12182)
        #expect(try RedisClusterSlot.of(command: RedisCommand(["PING"])) == nil)
        #expect(try RedisClusterSlot.of(command: RedisCommand(["SCRIPT", "LOAD", "return 1"])) == nil)
        #expect(try RedisClusterSlot.of(command: RedisCommand(["DEL", "{a}1", "{a}2"])) == RedisClusterSlot.of("a"))
        let script = RedisScript(name: "probe", source: "return 1")
        #expect(try RedisClusterSlot.of(command: script.evalSHACommand(keys: ["{q}:a", "{q}:b"], arguments: ["foo"]))
            == RedisClusterSlot.of("q"))
        #expect(try RedisClusterSlot.of(command: script.evalSHACommand(keys: [], arguments: ["foo"])) == nil)
        #expect(try RedisClusterSlot.of(command: RedisCommand(["BZPOPMIN", "{q}:marker", "5"])) == RedisClusterSlot.of("q"))
    }

    @Test func keysInDifferentSlotsFailLocallyNamingThem() {
        #expect {
            _ = try RedisClusterSlot.of(command: RedisCommand(["DEL", "foo", "bar"]))
        } throws: { error in
            guard let error = error as? RedisError else { return false }
            return error.kind == .server && error.serverErrorCode == "CROSSSLOT" && error.command == "DEL"
                && error.message.contains("'foo' (slot 12182)") && error.message.contains("'bar' (slot 5061)")
        }
        let script = RedisScript(name: "commit", source: "return 1")
        #expect {
            _ = try RedisClusterSlot.of(command: script.evalSHACommand(keys: ["foo", "bar"], arguments: []))
        } throws: { error in
            (error as? RedisError)?.command == "EVALSHA commit" && (error as? RedisError)?.serverErrorCode == "CROSSSLOT"
        }
    }
}

/// The Redis Cluster hash slot of a key, computed locally as the server does: CRC16-XMODEM of the
/// key (or of its hash tag) modulo 16384.
///
/// A hash tag is the part between the first `{` and the first `}` after it, when that part is not
/// empty: `{user1000}.following` and `{user1000}.followers` share a slot, `foo{}{bar}` hashes the
/// whole key, and `foo{{bar}}zap` hashes `{bar`.
public enum RedisClusterSlot {
    /// Number of hash slots in a Redis Cluster.
    public static let count = 16384

    /// The slot of a text key.
    public static func of(_ key: String) -> Int {
        var key = key
        return key.withUTF8 { of(bytes: $0) }
    }

    /// The slot of a binary key.
    public static func of<Bytes: Collection<UInt8>>(bytes key: Bytes) -> Int {
        Int(crc16(hashedPart(of: key)) & 0x3FFF)
    }

    /// The bytes that are hashed: the hash tag's content when there is a non-empty one, else the key.
    static func hashedPart<Bytes: Collection<UInt8>>(of key: Bytes) -> Bytes.SubSequence {
        guard let open = key.firstIndex(of: UInt8(ascii: "{")) else { return key[...] }
        let afterOpen = key.index(after: open)
        guard let close = key[afterOpen...].firstIndex(of: UInt8(ascii: "}")), close != afterOpen else {
            return key[...]
        }
        return key[afterOpen..<close]
    }

    /// CRC16-XMODEM (polynomial 0x1021, initial value 0, no reflection), as Redis Cluster uses.
    static func crc16<Bytes: Sequence<UInt8>>(_ bytes: Bytes) -> UInt16 {
        var crc: UInt16 = 0
        for byte in bytes {
            crc = (crc << 8) ^ table[Int(UInt8(truncatingIfNeeded: crc >> 8) ^ byte)]
        }
        return crc
    }

    private static let table: [UInt16] = (0..<256).map { index in
        var crc = UInt16(index) << 8
        for _ in 0..<8 {
            crc = crc & 0x8000 != 0 ? (crc << 1) ^ 0x1021 : crc << 1
        }
        return crc
    }
}

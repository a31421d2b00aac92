/// Percent-escaping of chosen bytes, for ids built from text components (job ids, child run ids).
package enum PercentEscaping {
    /// Replaces every byte `escaped` accepts by `%` and its two upper-case hex digits. Works on bytes:
    /// a `:` followed by a combining mark (one Character with it) is escaped too. Text without such
    /// bytes is returned as it is.
    package static func escaping(_ text: String, _ escaped: (UInt8) -> Bool) -> String {
        guard text.utf8.contains(where: escaped) else { return text }
        let digits = Array("0123456789ABCDEF".utf8)
        var bytes: [UInt8] = []
        bytes.reserveCapacity(text.utf8.count + 8)
        for byte in text.utf8 {
            if escaped(byte) {
                bytes += [UInt8(ascii: "%"), digits[Int(byte >> 4)], digits[Int(byte & 0x0F)]]
            } else {
                bytes.append(byte)
            }
        }
        return String(decoding: bytes, as: UTF8.self)
    }
}

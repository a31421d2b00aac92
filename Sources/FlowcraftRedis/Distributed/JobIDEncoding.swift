/// How the distributed engine spells job ids and child run ids: readable, free of `:` (BullMQ ids may
/// not contain it) and *injective* — distinct runs, nodes and iterations never share an id.
///
/// A job id is `<runId>.<nodeId>.<iteration>` (`.fallback-of.<nodeId>` appended for a fallback), each
/// text component percent-escaped: `%` → `%25`, `.` → `%2E`, `:` → `%3A`. Escaping `%` makes the
/// escape itself unambiguous and escaping `.` keeps the components apart, so runs `k:1`, `k_1` and
/// `k%3A1` (or run `a.b` with node `c` and run `a` with node `b.c`) get different job ids. Ids
/// without these characters (UUID run ids, most node ids) are unchanged.
///
/// A child run id is `<parentRunId>/<nodeId>#<iteration>` with `%` → `%25` and `/` → `%2F` in the
/// node id, so the last `/` separates the parent.
enum JobIDEncoding {
    /// One text component of a job id.
    static func component(_ text: String) -> String {
        escaping(text) { $0 == UInt8(ascii: "%") || $0 == UInt8(ascii: ".") || $0 == UInt8(ascii: ":") }
    }

    /// The node id inside a child run id.
    static func childRunComponent(_ text: String) -> String {
        escaping(text) { $0 == UInt8(ascii: "%") || $0 == UInt8(ascii: "/") }
    }

    /// Replaces every byte `escaped` accepts by `%` and its two upper-case hex digits. Works on bytes:
    /// a `:` followed by a combining mark (one Character with it) is escaped too.
    private static func escaping(_ text: String, _ escaped: (UInt8) -> Bool) -> String {
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

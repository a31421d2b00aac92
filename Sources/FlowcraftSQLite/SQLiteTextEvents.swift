import Flowcraft

/// The events of an `event_chunks` row in the text form schema version 2 wrote (and the conversion of
/// a version 1 file still writes): lines `sequence TAB time TAB kind TAB body LF`, the body a JSON
/// object (``SQLiteEventCoding``). Rows written now are packed (``SQLitePackedEvents``).
enum SQLiteTextEvents {
    private static let tab = UInt8(ascii: "\t")
    private static let lineFeed = UInt8(ascii: "\n")

    /// Appends the events of a stored chunk above `dropThrough` (the cap's cut) to `events`.
    static func read(_ text: String, after dropThrough: Int, into events: inout [RunHistoryEvent]) throws(SQLiteUnreadableEvent) {
        for line in text.utf8.split(separator: lineFeed, omittingEmptySubsequences: true) {
            let fields = line.split(separator: tab, maxSplits: 3, omittingEmptySubsequences: false)
            guard fields.count == 4, let sequence = Int(String(decoding: fields[0], as: UTF8.self)),
                let time = Int64(String(decoding: fields[1], as: UTF8.self))
            else {
                throw SQLiteUnreadableEvent(description: "not an event line: '\(String(decoding: line.prefix(80), as: UTF8.self))'")
            }
            guard sequence > dropThrough else { continue }
            do {
                let kind = try SQLiteEventCoding.kind(
                    String(decoding: fields[2], as: UTF8.self), body: String(decoding: fields[3], as: UTF8.self))
                events.append(RunHistoryEvent(sequence: sequence, time: time, kind: kind))
            } catch {
                throw SQLiteUnreadableEvent(sequence: sequence, description: error.description)
            }
        }
    }
}

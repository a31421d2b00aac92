import Flowcraft

/// The events of one `event_chunks` row: lines `sequence TAB time TAB kind TAB body LF`, built in a
/// buffer the writer reuses, and read back into events.
struct SQLiteEventChunk {
    private(set) var bytes: [UInt8] = []
    /// The lowest and the highest sequence in the buffer (a batch lists its events in order).
    private(set) var firstSequence = 0
    private(set) var lastSequence = 0
    /// Events in the buffer.
    private(set) var count = 0

    mutating func removeAll() {
        bytes.removeAll(keepingCapacity: true)
        count = 0
    }

    /// Appends one event; `body` is its JSON object (`SQLiteEventCoding`: no raw line feed).
    mutating func append(sequence: Int, time: Int64, kind: StaticString, body: [UInt8]) {
        header(sequence: sequence, time: time)
        kind.withUTF8Buffer { bytes.append(contentsOf: $0) }
        bytes.append(Self.tab)
        bytes.append(contentsOf: body)
        bytes.append(Self.lineFeed)
    }

    /// Appends one event whose kind and body are strings.
    mutating func append(sequence: Int, time: Int64, kind: String, body: String) {
        header(sequence: sequence, time: time)
        bytes.append(contentsOf: kind.utf8)
        bytes.append(Self.tab)
        bytes.append(contentsOf: body.utf8)
        bytes.append(Self.lineFeed)
    }

    private mutating func header(sequence: Int, time: Int64) {
        if count == 0 {
            (firstSequence, lastSequence) = (sequence, sequence)
        } else {
            (firstSequence, lastSequence) = (min(firstSequence, sequence), max(lastSequence, sequence))
        }
        count += 1
        bytes.append(contentsOf: String(sequence).utf8)
        bytes.append(Self.tab)
        bytes.append(contentsOf: String(time).utf8)
        bytes.append(Self.tab)
    }

    private static let tab = UInt8(ascii: "\t")
    private static let lineFeed = UInt8(ascii: "\n")

    /// A line that is not an event: its text (shortened) and why.
    struct Unreadable: Error, CustomStringConvertible {
        var sequence: Int?
        var description: String
    }

    /// Appends the events of a stored chunk above `dropThrough` (the cap's cut) to `events`.
    static func read(_ text: String, after dropThrough: Int, into events: inout [RunHistoryEvent]) throws(Unreadable) {
        for line in text.utf8.split(separator: lineFeed, omittingEmptySubsequences: true) {
            let fields = line.split(separator: tab, maxSplits: 3, omittingEmptySubsequences: false)
            guard fields.count == 4, let sequence = Int(String(decoding: fields[0], as: UTF8.self)),
                let time = Int64(String(decoding: fields[1], as: UTF8.self))
            else {
                throw Unreadable(description: "not an event line: '\(String(decoding: line.prefix(80), as: UTF8.self))'")
            }
            guard sequence > dropThrough else { continue }
            do {
                let kind = try SQLiteEventCoding.kind(
                    String(decoding: fields[2], as: UTF8.self), body: String(decoding: fields[3], as: UTF8.self))
                events.append(RunHistoryEvent(sequence: sequence, time: time, kind: kind))
            } catch {
                throw Unreadable(sequence: sequence, description: error.description)
            }
        }
    }
}

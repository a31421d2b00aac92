import Flowcraft

/// Reads the events of a packed `event_chunks` row or `runs.events` (``SQLitePackedEvents``). A damaged row fails with
/// ``SQLiteTextEvents/Unreadable`` naming the event it stopped at: every count and length is checked
/// against the bytes left before anything is read or reserved.
struct SQLiteEventUnpacker {
    private let bytes: [UInt8]
    private var position = 0
    /// The event being read (for the error).
    private var sequence: Int?

    private init(_ bytes: [UInt8]) {
        self.bytes = bytes
    }

    /// Appends the events of the row `bytes` above `dropThrough` (the cap's cut) to `events`.
    static func read(
        _ bytes: [UInt8], after dropThrough: Int, into events: inout [RunHistoryEvent]
    ) throws(SQLiteUnreadableEvent) {
        var reader = SQLiteEventUnpacker(bytes)
        let version = try reader.byte()
        guard SQLitePackedEvents.readableFormats.contains(version) else {
            throw SQLiteUnreadableEvent(description: "packed events of an unknown format \(version)")
        }
        var sequence: Int64 = 0
        var time: Int64 = 0
        while reader.position < bytes.count {
            reader.sequence = nil
            let code = try reader.byte()
            guard let tag = SQLitePackedEvents.Tag(rawValue: code) else {
                throw reader.unreadable("unknown event kind \(code)")
            }
            sequence = sequence &+ (try reader.signed())
            guard let current = Int(exactly: sequence) else { throw reader.unreadable("a sequence out of range") }
            reader.sequence = current
            time = time &+ (try reader.signed())
            let kind = try reader.kind(tag, time: time)
            if current > dropThrough { events.append(RunHistoryEvent(sequence: current, time: time, kind: kind)) }
        }
    }

    private func unreadable(_ what: String) -> SQLiteUnreadableEvent {
        SQLiteUnreadableEvent(sequence: sequence, description: what)
    }

    private mutating func kind(_ tag: SQLitePackedEvents.Tag, time: Int64) throws(SQLiteUnreadableEvent) -> RunHistoryEvent.Kind {
        switch tag {
        case .runStarted:
            let blueprintID = try string()
            let version = try optional()
            let parentRunID = try optional()
            let parentNodeID = try optional()
            return .runStarted(
                RunHistoryEvent.RunStart(
                    blueprintID: blueprintID, blueprintVersion: version, parentRunID: parentRunID,
                    parentNodeID: parentNodeID, context: try object()))
        case .nodeFinished:
            return .nodeFinished(try nodeExecution(time: time))
        case .runEnded:
            let statusName = try string()
            guard let status = RunHistoryStatus(rawValue: statusName) else {
                throw unreadable("unknown run status '\(statusName)'")
            }
            let failedNodeID = try optional()
            let error = try optional()
            let location = try byte() == 0 ? nil : try self.location()
            return .runEnded(RunHistoryEvent.RunEnd(status: status, failedNodeID: failedNodeID, error: error, errorLocation: location))
        case .paused:
            return .paused(nodes: try strings())
        case .resumed:
            let nodeID = try string()
            return .resumed(nodeID: nodeID, action: try optional())
        case .redriven:
            return .redriven(nodes: try strings())
        }
    }

    private mutating func nodeExecution(time: Int64) throws(SQLiteUnreadableEvent) -> RunHistoryEvent.NodeExecution {
        let nodeID = try string()
        let code = try byte()
        guard let status = SQLitePackedEvents.status(code: code) else { throw unreadable("unknown node status \(code)") }
        let flags = SQLitePackedEvents.NodeFlags(rawValue: try byte())
        var e = RunHistoryEvent.NodeExecution(nodeID: nodeID, status: status, attempts: [])
        if flags.contains(.action) { e.action = try string() }
        if flags.contains(.fallbackNodeID) { e.fallbackNodeID = try string() }
        if flags.contains(.childRunID) { e.childRunID = try string() }
        if flags.contains(.error) { e.error = try string() }
        if flags.contains(.errorLocation) { e.errorLocation = try location() }
        if flags.contains(.iteration) { e.iteration = try integer() }
        if flags.contains(.outputBytes) { e.outputBytes = try integer() }
        // (Not `cond ? try value() : nil`: `nil` would be the JSON null, a value.)
        var ownOutput: JSONValue?
        if flags.contains(.ownOutput) { ownOutput = try value() }
        let attempts = try count()
        e.attempts.reserveCapacity(attempts)
        for _ in 0..<attempts {
            let start = time &+ (try signed())
            let end = time &+ (try signed())
            e.attempts.append(RunHistoryEvent.Attempt(startedAt: start, endedAt: end, error: try optional()))
        }
        e.writes = try object()
        // The packer keeps it apart only when no other write has its key.
        if let ownOutput { e.writes[ContextKeys.output(of: nodeID)] = ownOutput }
        return e
    }

    /// Keys and values; of a key given twice the later wins.
    private mutating func object() throws(SQLiteUnreadableEvent) -> [String: JSONValue] {
        let n = try count()
        var o: [String: JSONValue] = [:]
        o.reserveCapacity(n)
        for _ in 0..<n {
            let key = try string()
            o[key] = try value()
        }
        return o
    }

    private mutating func value() throws(SQLiteUnreadableEvent) -> JSONValue {
        let code = try byte()
        switch SQLitePackedEvents.ValueTag(rawValue: code) {
        case .null: return .null
        case .false: return .bool(false)
        case .true: return .bool(true)
        case .integer: return .int(try integer())
        case .string: return .string(try string())
        case .json:
            let text = try string()
            do {
                return try JSONText.parse(text)
            } catch {
                throw unreadable("a value that is not JSON: \(error)")
            }
        case nil: throw unreadable("unknown value kind \(code)")
        }
    }

    private mutating func location() throws(SQLiteUnreadableEvent) -> SourceLocation {
        let file = try string()
        let line = try integer()
        return SourceLocation(file: file, line: line, column: try integer())
    }

    private mutating func strings() throws(SQLiteUnreadableEvent) -> [String] {
        let n = try count()
        var list: [String] = []
        list.reserveCapacity(n)
        for _ in 0..<n { list.append(try string()) }
        return list
    }

    private mutating func string() throws(SQLiteUnreadableEvent) -> String {
        try text(length: try count())
    }

    private mutating func optional() throws(SQLiteUnreadableEvent) -> String? {
        let n = try unsigned()
        guard n > 0 else { return nil }
        guard n - 1 <= UInt64(bytes.count - position) else { throw unreadable("a string longer than the row") }
        return try text(length: Int(n - 1))
    }

    private mutating func text(length: Int) throws(SQLiteUnreadableEvent) -> String {
        guard length <= bytes.count - position else { throw unreadable("a string longer than the row") }
        defer { position += length }
        return String(decoding: bytes[position..<position + length], as: UTF8.self)
    }

    /// A count or length: at most the bytes left (each element takes at least one).
    private mutating func count() throws(SQLiteUnreadableEvent) -> Int {
        let n = try unsigned()
        guard n <= UInt64(bytes.count - position) else { throw unreadable("a count larger than the row") }
        return Int(n)
    }

    private mutating func integer() throws(SQLiteUnreadableEvent) -> Int {
        let v = try signed()
        guard let i = Int(exactly: v) else { throw unreadable("an integer out of range") }
        return i
    }

    private mutating func signed() throws(SQLiteUnreadableEvent) -> Int64 {
        let u = try unsigned()
        return Int64(bitPattern: u >> 1) ^ -Int64(bitPattern: u & 1)
    }

    private mutating func unsigned() throws(SQLiteUnreadableEvent) -> UInt64 {
        var v: UInt64 = 0
        var shift: UInt64 = 0
        while true {
            let b = try byte()
            guard shift < 64 else { throw unreadable("a number longer than 64 bits") }
            v |= UInt64(b & 0x7f) << shift
            if b < 0x80 { return v }
            shift += 7
        }
    }

    private mutating func byte() throws(SQLiteUnreadableEvent) -> UInt8 {
        guard position < bytes.count else { throw unreadable("the row ends inside an event") }
        defer { position += 1 }
        return bytes[position]
    }
}

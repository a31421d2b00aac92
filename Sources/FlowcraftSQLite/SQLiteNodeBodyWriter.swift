import Flowcraft

/// Writes the stored body of a `nodeFinished` event (the one event every node execution makes), and
/// of a run's `runStarted` and `runEnded` (two per run), as UTF-8 bytes into a buffer the writer
/// reuses: the same text as the generic form
/// (``SQLiteEventCoding/genericBody(_:)``: keys sorted, absent fields left out), without building a
/// `JSONValue` object or a `String` per field.
struct SQLiteNodeBodyWriter {
    private(set) var bytes: [UInt8] = []
    /// A record's visible writes, sorted (reused).
    private var sortedWrites: [RecordedWrite] = []

    /// Replaces the buffer's content with the body of the node execution `record` of a run's
    /// recorded batch (`writes`: the batch's run writes): the same text as the body of its public
    /// execution (``RecordedHistoryBatch/event(_:)``), without building that event.
    mutating func write(_ record: NodeExecutionRecord, writes: ContiguousArray<RecordedWrite>) {
        bytes.removeAll(keepingCapacity: true)
        var first = true
        bytes.append(UInt8(ascii: "{"))
        if let action = record.action {
            key("action", first: &first)
            string(action)
        }
        key("attempts", first: &first)
        bytes.append(UInt8(ascii: "["))
        if record.hasSingleAttempt {
            attempt(RunHistoryEvent.Attempt(startedAt: record.preparedAt, endedAt: record.endedAt, error: record.error))
        } else {
            for (n, a) in record.attempts.enumerated() {
                if n > 0 { bytes.append(UInt8(ascii: ",")) }
                attempt(a)
            }
        }
        bytes.append(UInt8(ascii: "]"))
        if let child = record.childRunID {
            key("childRunId", first: &first)
            string(child)
        }
        if let error = record.error {
            key("error", first: &first)
            string(error)
        }
        if let location = record.errorLocation {
            key("errorLocation", first: &first)
            raw(JSONText.serialize(SQLiteEventCoding.location(location)))
        }
        if let fallback = record.fallbackNodeID {
            key("fallbackNodeId", first: &first)
            string(fallback)
        }
        // (A record's iteration is always 0: not written.)
        key("nodeId", first: &first)
        string(record.nodeID)
        let outputBytes = record.outputBytes
        if outputBytes != 0 {
            key("outputBytes", first: &first)
            integer(Int64(outputBytes))
        }
        key("status", first: &first)
        string(record.status.rawValue)
        record.sortedVisibleWrites(in: writes, into: &sortedWrites)
        if !sortedWrites.isEmpty {
            key("writes", first: &first)
            bytes.append(UInt8(ascii: "{"))
            for n in sortedWrites.indices {
                if n > 0 { bytes.append(UInt8(ascii: ",")) }
                string(sortedWrites[n].key)
                bytes.append(UInt8(ascii: ":"))
                value(sortedWrites[n].value)
            }
            bytes.append(UInt8(ascii: "}"))
        }
        bytes.append(UInt8(ascii: "}"))
    }

    /// Replaces the buffer's content with the body of `e`.
    mutating func write(_ e: RunHistoryEvent.NodeExecution) {
        bytes.removeAll(keepingCapacity: true)
        var first = true
        bytes.append(UInt8(ascii: "{"))
        if let action = e.action {
            key("action", first: &first)
            string(action)
        }
        key("attempts", first: &first)
        bytes.append(UInt8(ascii: "["))
        for (n, a) in e.attempts.enumerated() {
            if n > 0 { bytes.append(UInt8(ascii: ",")) }
            attempt(a)
        }
        bytes.append(UInt8(ascii: "]"))
        if let child = e.childRunID {
            key("childRunId", first: &first)
            string(child)
        }
        if let error = e.error {
            key("error", first: &first)
            string(error)
        }
        if let location = e.errorLocation {
            key("errorLocation", first: &first)
            raw(JSONText.serialize(SQLiteEventCoding.location(location)))
        }
        if let fallback = e.fallbackNodeID {
            key("fallbackNodeId", first: &first)
            string(fallback)
        }
        if e.iteration != 0 {
            key("iteration", first: &first)
            integer(Int64(e.iteration))
        }
        key("nodeId", first: &first)
        string(e.nodeID)
        if e.outputBytes != 0 {
            key("outputBytes", first: &first)
            integer(Int64(e.outputBytes))
        }
        key("status", first: &first)
        string(e.status.rawValue)
        if !e.writes.isEmpty {
            key("writes", first: &first)
            bytes.append(UInt8(ascii: "{"))
            for (n, name) in e.writes.keys.sorted().enumerated() {
                if n > 0 { bytes.append(UInt8(ascii: ",")) }
                string(name)
                bytes.append(UInt8(ascii: ":"))
                value(e.writes[name] ?? .null)
            }
            bytes.append(UInt8(ascii: "}"))
        }
        bytes.append(UInt8(ascii: "}"))
    }

    /// Replaces the buffer's content with the body of a `runStarted` event.
    mutating func write(_ start: RunHistoryEvent.RunStart) {
        bytes.removeAll(keepingCapacity: true)
        var first = true
        bytes.append(UInt8(ascii: "{"))
        key("blueprintId", first: &first)
        string(start.blueprintID)
        if let version = start.blueprintVersion {
            key("blueprintVersion", first: &first)
            string(version)
        }
        key("context", first: &first)
        if start.context.isEmpty {
            raw("{}")
        } else {
            raw(JSONText.serialize(.object(start.context)))
        }
        if let parent = start.parentNodeID {
            key("parentNodeId", first: &first)
            string(parent)
        }
        if let parent = start.parentRunID {
            key("parentRunId", first: &first)
            string(parent)
        }
        bytes.append(UInt8(ascii: "}"))
    }

    /// Replaces the buffer's content with the body of a `runEnded` event.
    mutating func write(_ end: RunHistoryEvent.RunEnd) {
        bytes.removeAll(keepingCapacity: true)
        var first = true
        bytes.append(UInt8(ascii: "{"))
        if let error = end.error {
            key("error", first: &first)
            string(error)
        }
        if let location = end.errorLocation {
            key("errorLocation", first: &first)
            raw(JSONText.serialize(SQLiteEventCoding.location(location)))
        }
        if let failed = end.failedNodeID {
            key("failedNodeId", first: &first)
            string(failed)
        }
        key("status", first: &first)
        string(end.status.rawValue)
        bytes.append(UInt8(ascii: "}"))
    }

    private mutating func attempt(_ attempt: RunHistoryEvent.Attempt) {
        raw("{\"end\":")
        integer(attempt.endedAt)
        if let error = attempt.error {
            raw(",\"error\":")
            string(error)
        }
        raw(",\"start\":")
        integer(attempt.startedAt)
        bytes.append(UInt8(ascii: "}"))
    }

    private mutating func key(_ name: StaticString, first: inout Bool) {
        if !first { bytes.append(UInt8(ascii: ",")) }
        first = false
        bytes.append(UInt8(ascii: "\""))
        name.withUTF8Buffer { bytes.append(contentsOf: $0) }
        bytes.append(contentsOf: [UInt8(ascii: "\""), UInt8(ascii: ":")])
    }

    private mutating func raw(_ text: StaticString) {
        text.withUTF8Buffer { bytes.append(contentsOf: $0) }
    }

    private mutating func raw(_ text: String) {
        bytes.append(contentsOf: text.utf8)
    }

    private mutating func integer(_ value: Int64) {
        // A small string: no allocation.
        bytes.append(contentsOf: String(value).utf8)
    }

    /// `JSONText`'s string form: quotes, backslash and control characters escaped.
    private mutating func string(_ text: String) {
        bytes.append(UInt8(ascii: "\""))
        let utf8 = text.utf8
        if !utf8.contains(where: { $0 == UInt8(ascii: "\"") || $0 == UInt8(ascii: "\\") || $0 < 0x20 }) {
            bytes.append(contentsOf: utf8)
        } else {
            // Rare: the exact escaping `JSONText` writes, without re-implementing it.
            let quoted = JSONText.quoted(text).utf8
            bytes.append(contentsOf: quoted.dropFirst().dropLast())
        }
        bytes.append(UInt8(ascii: "\""))
    }

    private mutating func value(_ v: JSONValue) {
        switch v {
        case .null: raw("null")
        case .bool(let b): b ? raw("true") : raw("false")
        case .int(let i): integer(Int64(i))
        case .string(let s): string(s)
        case .double, .array, .object: raw(JSONText.serialize(v))
        }
    }
}

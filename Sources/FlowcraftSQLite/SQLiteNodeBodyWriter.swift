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
        record.sortedVisibleWrites(in: writes, into: &sortedWrites)
        writeExecution(
            action: record.action, childRunID: record.childRunID, error: record.error,
            errorLocation: record.errorLocation, fallbackNodeID: record.fallbackNodeID,
            iteration: 0,  // (a record's iteration is always 0)
            nodeID: record.nodeID, outputBytes: record.outputBytes, status: record.status,
            attempts: { w in
                if record.hasSingleAttempt {
                    w.attempt(RunHistoryEvent.Attempt(startedAt: record.preparedAt, endedAt: record.endedAt, error: record.error))
                } else {
                    for (n, a) in record.attempts.enumerated() {
                        if n > 0 { w.bytes.append(UInt8(ascii: ",")) }
                        w.attempt(a)
                    }
                }
            },
            writeCount: sortedWrites.count, write: { w, n in (w.sortedWrites[n].key, w.sortedWrites[n].value) })
    }

    /// Replaces the buffer's content with the body of `e`.
    mutating func write(_ e: RunHistoryEvent.NodeExecution) {
        let names = e.writes.keys.sorted()
        writeExecution(
            action: e.action, childRunID: e.childRunID, error: e.error, errorLocation: e.errorLocation,
            fallbackNodeID: e.fallbackNodeID, iteration: e.iteration, nodeID: e.nodeID, outputBytes: e.outputBytes,
            status: e.status,
            attempts: { w in
                for (n, a) in e.attempts.enumerated() {
                    if n > 0 { w.bytes.append(UInt8(ascii: ",")) }
                    w.attempt(a)
                }
            },
            writeCount: names.count, write: { _, n in (names[n], e.writes[names[n]] ?? .null) })
    }

    /// The body of one node execution, keys sorted and absent fields left out: `attempts` writes the
    /// attempts array's elements, `write(n)` gives the `n`th of `writeCount` writes (sorted by key).
    private mutating func writeExecution(
        action: String?, childRunID: String?, error: String?, errorLocation: SourceLocation?, fallbackNodeID: String?,
        iteration: Int, nodeID: String, outputBytes: Int, status: RunHistoryEvent.NodeExecutionStatus,
        attempts: (inout SQLiteNodeBodyWriter) -> Void, writeCount: Int,
        write: (inout SQLiteNodeBodyWriter, Int) -> (key: String, value: JSONValue)
    ) {
        bytes.removeAll(keepingCapacity: true)
        var first = true
        bytes.append(UInt8(ascii: "{"))
        if let action {
            key("action", first: &first)
            string(action)
        }
        key("attempts", first: &first)
        bytes.append(UInt8(ascii: "["))
        attempts(&self)
        bytes.append(UInt8(ascii: "]"))
        if let childRunID {
            key("childRunId", first: &first)
            string(childRunID)
        }
        if let error {
            key("error", first: &first)
            string(error)
        }
        if let errorLocation {
            key("errorLocation", first: &first)
            raw(JSONText.serialize(SQLiteEventCoding.location(errorLocation)))
        }
        if let fallbackNodeID {
            key("fallbackNodeId", first: &first)
            string(fallbackNodeID)
        }
        if iteration != 0 {
            key("iteration", first: &first)
            integer(Int64(iteration))
        }
        key("nodeId", first: &first)
        string(nodeID)
        if outputBytes != 0 {
            key("outputBytes", first: &first)
            integer(Int64(outputBytes))
        }
        key("status", first: &first)
        string(status.rawValue)
        if writeCount > 0 {
            key("writes", first: &first)
            bytes.append(UInt8(ascii: "{"))
            for n in 0..<writeCount {
                if n > 0 { bytes.append(UInt8(ascii: ",")) }
                let (name, written) = write(&self, n)
                string(name)
                bytes.append(UInt8(ascii: ":"))
                value(written)
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

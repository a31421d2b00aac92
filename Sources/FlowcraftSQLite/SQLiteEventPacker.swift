import Flowcraft

/// Packs one run's events into a reused buffer, the writer's row at a time
/// (``SQLitePackedEvents``): directly from the engine's compact records, or from public events.
/// Its bytes live in a ``SQLitePackBuffer`` it holds by reference: a copy of a packer writes into
/// the same bytes, so each writer keeps one packer (the store's is its writer's, confined to its queue).
struct SQLiteEventPacker {
    /// The packed bytes (written in place: ``SQLitePackBuffer``).
    private let buffer = SQLitePackBuffer()
    /// A copy of the packed bytes (``withBytes(_:)`` lends them without a copy).
    var bytes: [UInt8] { buffer.array }
    /// The lowest and the highest sequence in the buffer.
    private(set) var firstSequence = 0
    private(set) var lastSequence = 0
    /// Events in the buffer.
    private(set) var count = 0
    private var previousSequence = 0
    private var previousTime: Int64 = 0

    /// The packed bytes, for the duration of `body`.
    func withBytes<R>(_ body: (UnsafeRawBufferPointer) throws -> R) rethrows -> R { try buffer.withBytes(body) }

    mutating func removeAll() {
        buffer.removeAll()
        count = 0
        previousSequence = 0
        previousTime = 0
    }

    // MARK: - Events from the engine's records

    /// A node execution of a recorded batch (`writes`: the batch's run writes); the same event as
    /// ``RecordedHistoryBatch/event(_:)`` builds.
    mutating func append(_ record: NodeExecutionRecord, writes: ContiguousArray<RecordedWrite>) {
        let time = record.endedAt
        header(.nodeFinished, sequence: record.sequence, time: time)
        // The output under the node's own key, kept apart from the other writes (without its key).
        let ownOutput = record.hasOwnOutputWriteAlone(in: writes)
        // (Not `ownOutput ? record.output : nil`: that `nil` is the JSON null, a value.)
        var ownOutputValue: JSONValue?
        if ownOutput { ownOutputValue = record.output }
        nodeFields(
            nodeID: record.nodeID, status: record.status, action: record.action, fallbackNodeID: record.fallbackNodeID,
            childRunID: record.childRunID, error: record.error, errorLocation: record.errorLocation, iteration: record.iteration,
            outputBytes: record.outputBytes, ownOutput: ownOutputValue)
        if record.hasSingleAttempt {
            unsigned(1)
            attempt(startedAt: record.preparedAt, endedAt: record.endedAt, error: record.error, eventTime: time)
        } else {
            let attempts = record.attempts
            unsigned(UInt64(attempts.count))
            for a in attempts { attempt(startedAt: a.startedAt, endedAt: a.endedAt, error: a.error, eventTime: time) }
        }
        // The visible writes in the order made (the node's, then the run's): read into a
        // dictionary, a later write of a key wins, as in the built event. Their count goes first:
        // a byte kept for it (fewer than 128: the usual case), widened when there are more.
        let countAt = buffer.count
        buffer.append(0)
        var written: UInt64 = 0
        record.forEachVisibleWriteKey(in: writes, skippingOwnOutput: ownOutput) { key, v in
            switch key {
            case .key(let text): string(text)
            case .output(let nodeID): outputKey(of: nodeID)
            }
            value(v)
            written += 1
        }
        if written < 0x80 {
            buffer.set(UInt8(written), at: countAt)
        } else {
            let widened = SQLitePackBuffer(capacity: 16)
            widened.appendVarint(written)
            widened.withBytes { buffer.replaceByte(at: countAt, with: $0) }
        }
    }

    /// The start of a recorded run (blueprint, version and parent: `summary`'s).
    mutating func appendRunStarted(sequence: Int, time: Int64, summary: RunSummary, context: [String: JSONValue]) {
        header(.runStarted, sequence: sequence, time: time)
        runStartFields(
            blueprintID: summary.blueprintID, blueprintVersion: summary.blueprintVersion,
            parentRunID: summary.parentRunID, parentNodeID: summary.parentNodeID, context: context)
    }

    /// The end of a recorded run (status and error: `summary`'s).
    mutating func appendRunEnded(sequence: Int, time: Int64, summary: RunSummary) {
        header(.runEnded, sequence: sequence, time: time)
        runEndFields(
            status: summary.status, failedNodeID: summary.failedNodeID, error: summary.error,
            errorLocation: summary.errorLocation)
    }

    // MARK: - Public events

    mutating func append(_ event: RunHistoryEvent) {
        switch event.kind {
        case .runStarted(let s):
            header(.runStarted, sequence: event.sequence, time: event.time)
            runStartFields(
                blueprintID: s.blueprintID, blueprintVersion: s.blueprintVersion, parentRunID: s.parentRunID,
                parentNodeID: s.parentNodeID, context: s.context)
        case .nodeFinished(let e):
            header(.nodeFinished, sequence: event.sequence, time: event.time)
            nodeFields(
                nodeID: e.nodeID, status: e.status, action: e.action, fallbackNodeID: e.fallbackNodeID,
                childRunID: e.childRunID, error: e.error, errorLocation: e.errorLocation, iteration: e.iteration,
                outputBytes: e.outputBytes)
            unsigned(UInt64(e.attempts.count))
            for a in e.attempts { attempt(startedAt: a.startedAt, endedAt: a.endedAt, error: a.error, eventTime: event.time) }
            unsigned(UInt64(e.writes.count))
            for (key, written) in e.writes {
                string(key)
                value(written)
            }
        case .paused(let nodes):
            header(.paused, sequence: event.sequence, time: event.time)
            strings(nodes)
        case .resumed(let nodeID, let action):
            header(.resumed, sequence: event.sequence, time: event.time)
            string(nodeID)
            optional(action)
        case .redriven(let nodes):
            header(.redriven, sequence: event.sequence, time: event.time)
            strings(nodes)
        case .runEnded(let end):
            header(.runEnded, sequence: event.sequence, time: event.time)
            runEndFields(status: end.status, failedNodeID: end.failedNodeID, error: end.error, errorLocation: end.errorLocation)
        }
    }

    // MARK: - Fields

    private mutating func header(_ tag: SQLitePackedEvents.Tag, sequence: Int, time: Int64) {
        if count == 0 {
            buffer.append(SQLitePackedEvents.formatVersion)
            (firstSequence, lastSequence) = (sequence, sequence)
        } else {
            (firstSequence, lastSequence) = (min(firstSequence, sequence), max(lastSequence, sequence))
        }
        count += 1
        buffer.append(tag.rawValue)
        signed(Int64(sequence) &- Int64(previousSequence))
        signed(time &- previousTime)
        previousSequence = sequence
        previousTime = time
    }

    private mutating func nodeFields(
        nodeID: String, status: RunHistoryEvent.NodeExecutionStatus, action: String?, fallbackNodeID: String?,
        childRunID: String?, error: String?, errorLocation: SourceLocation?, iteration: Int, outputBytes: Int,
        ownOutput: JSONValue? = nil
    ) {
        string(nodeID)
        buffer.append(SQLitePackedEvents.statusCode(status))
        var flags: SQLitePackedEvents.NodeFlags = []
        if action != nil { flags.insert(.action) }
        if fallbackNodeID != nil { flags.insert(.fallbackNodeID) }
        if childRunID != nil { flags.insert(.childRunID) }
        if error != nil { flags.insert(.error) }
        if errorLocation != nil { flags.insert(.errorLocation) }
        if iteration != 0 { flags.insert(.iteration) }
        if outputBytes != 0 { flags.insert(.outputBytes) }
        if ownOutput != nil { flags.insert(.ownOutput) }
        buffer.append(flags.rawValue)
        if let action { string(action) }
        if let fallbackNodeID { string(fallbackNodeID) }
        if let childRunID { string(childRunID) }
        if let error { string(error) }
        if let errorLocation { location(errorLocation) }
        if iteration != 0 { signed(Int64(iteration)) }
        if outputBytes != 0 { signed(Int64(outputBytes)) }
        if let ownOutput { value(ownOutput) }
    }

    private mutating func attempt(startedAt: Int64, endedAt: Int64, error: String?, eventTime: Int64) {
        signed(startedAt &- eventTime)
        signed(endedAt &- eventTime)
        optional(error)
    }

    private mutating func runStartFields(
        blueprintID: String, blueprintVersion: String?, parentRunID: String?, parentNodeID: String?,
        context: [String: JSONValue]
    ) {
        string(blueprintID)
        optional(blueprintVersion)
        optional(parentRunID)
        optional(parentNodeID)
        unsigned(UInt64(context.count))
        for (key, v) in context {
            string(key)
            value(v)
        }
    }

    private mutating func runEndFields(
        status: RunHistoryStatus, failedNodeID: String?, error: String?, errorLocation: SourceLocation?
    ) {
        string(status.rawValue)
        optional(failedNodeID)
        optional(error)
        if let errorLocation {
            buffer.append(1)
            location(errorLocation)
        } else {
            buffer.append(0)
        }
    }

    private mutating func location(_ l: SourceLocation) {
        string(l.file)
        signed(Int64(l.line))
        signed(Int64(l.column))
    }

    private mutating func strings(_ list: [String]) {
        unsigned(UInt64(list.count))
        for s in list { string(s) }
    }

    private mutating func value(_ v: JSONValue) {
        switch v {
        case .null: buffer.append(SQLitePackedEvents.ValueTag.null.rawValue)
        case .bool(let b): buffer.append((b ? SQLitePackedEvents.ValueTag.true : .false).rawValue)
        case .int(let i):
            buffer.append(SQLitePackedEvents.ValueTag.integer.rawValue)
            signed(Int64(i))
        case .string(let s):
            buffer.append(SQLitePackedEvents.ValueTag.string.rawValue)
            string(s)
        case .double, .array, .object:
            buffer.append(SQLitePackedEvents.ValueTag.json.rawValue)
            string(JSONText.serialize(v))
        }
    }

    private mutating func string(_ s: String) {
        var s = s
        s.withUTF8 { utf8 in
            unsigned(UInt64(utf8.count))
            buffer.append(contentsOf: utf8)
        }
    }

    /// `nodeID`'s output key (``ContextKeys/output(of:)``), as ``string(_:)`` packs it, from its parts.
    private mutating func outputKey(of nodeID: String) {
        var nodeID = nodeID
        nodeID.withUTF8 { id in
            unsigned(UInt64(Self.outputPrefix.count + id.count))
            Self.outputPrefix.withUnsafeBufferPointer { buffer.append(contentsOf: $0) }
            buffer.append(contentsOf: id)
        }
    }

    private static let outputPrefix = Array(ContextKeys.output(of: "").utf8)

    /// An optional string: its byte count + 1 and its bytes, or 0.
    private mutating func optional(_ s: String?) {
        guard var s else {
            buffer.append(0)
            return
        }
        s.withUTF8 { utf8 in
            unsigned(UInt64(utf8.count) + 1)
            buffer.append(contentsOf: utf8)
        }
    }

    private mutating func signed(_ v: Int64) {
        unsigned(UInt64(bitPattern: (v << 1) ^ (v >> 63)))
    }

    private mutating func unsigned(_ v: UInt64) { buffer.appendVarint(v) }
}

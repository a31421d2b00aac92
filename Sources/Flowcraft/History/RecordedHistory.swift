import FlowcraftModel

/// A node execution as a run records it on its own task: only what the run already holds (string
/// and value references, two clock readings, the attempts the attempt loop reported), no byte
/// counting and no dictionary. ``RecordedHistoryBatch/built()`` turns it into the public
/// ``RunHistoryEvent/NodeExecution`` on the delivering task; a ``RecordedHistoryRecorder`` (the
/// SQLite store) writes its rows from it directly.
package struct NodeExecutionRecord: Sendable {
    /// What only a failed, recovered or subflow execution has (allocated for those alone).
    package final class Details: Sendable {
        package let fallbackNodeID: String?
        package let childRunID: String?
        package let error: String?
        package let location: SourceLocation?
        /// The attempts the attempt loop reported (only when an attempt failed).
        package let attempts: [RunHistoryEvent.Attempt]
        /// For a fallback's completion: the failed node it replaced, whose output key it wrote too.
        package let replacedNodeID: String?

        init(
            fallbackNodeID: String?, childRunID: String?, error: String?, location: SourceLocation?,
            attempts: [RunHistoryEvent.Attempt], replacedNodeID: String? = nil
        ) {
            self.fallbackNodeID = fallbackNodeID
            self.childRunID = childRunID
            self.error = error
            self.location = location
            self.attempts = attempts
            self.replacedNodeID = replacedNodeID
        }
    }

    package var sequence: Int
    /// When the execution was prepared (the first attempt's start unless the loop reported it).
    package var preparedAt: Int64
    /// When the run handled its outcome: the event's time and the last attempt's end.
    package var endedAt: Int64
    package var nodeID: String
    /// The loop iteration (``IterationNumbering``; 0 outside loops).
    package var iteration = 0
    package var status: RunHistoryEvent.NodeExecutionStatus
    package var action: String?
    /// The node's output (a reference: `JSONValue` is copy-on-write); sized when built.
    package var output: JSONValue
    /// Whether the run wrote ``output`` under the node's output key (`_outputs.<nodeID>`, and the
    /// replaced node's for a fallback: ``Details/replacedNodeID``) for this completion. These writes
    /// are not among ``driverWrites``: they are derived (``forEachVisibleWrite(in:_:)``), which keeps
    /// the run's part small: a 40-byte write, a key reference and a list of keys less per execution.
    package var wroteOutputs = false
    /// `nil` for a plain completion whose first attempt succeeded: the build makes its one attempt
    /// from `preparedAt` to `endedAt`.
    package var details: Details?
    /// The keys the node wrote itself, in order (internal keys are left out when built).
    package var nodeWrites: ContiguousArray<RecordedWrite>
    /// The other keys the run wrote for this completion (edge inputs, a gather's key): a range of
    /// the batch's ``RecordedHistoryBatch/writes``; they win over the node's own writes of the same
    /// key.
    package var driverWrites: Range<Int>

    /// The execution's error (a failed or recovered execution).
    package var error: String? { details?.error }
    /// The fallback that took over, for a recovered execution.
    package var fallbackNodeID: String? { details?.fallbackNodeID }
    /// The child run, for a subflow node.
    package var childRunID: String? { details?.childRunID }
    /// Where the failed node is declared (only with an error).
    package var errorLocation: SourceLocation? { details?.error == nil ? nil : details?.location }
    /// Bytes of the output as JSON text (0 for none).
    package var outputBytes: Int { output == .null ? 0 : SizeLimits.byteCount(output) }

    /// The public attempts: those the attempt loop reported (the last one carrying the execution's
    /// error), or one from `preparedAt` to `endedAt`.
    package var attempts: [RunHistoryEvent.Attempt] {
        let error = details?.error
        var attempts = details?.attempts ?? []
        if attempts.isEmpty {
            attempts = [RunHistoryEvent.Attempt(startedAt: preparedAt, endedAt: endedAt, error: error)]
        } else if let error, attempts[attempts.count - 1].error != error {
            attempts[attempts.count - 1].error = error
        }
        return attempts
    }

    /// Whether ``attempts`` is the single attempt from `preparedAt` to `endedAt` (no array needed).
    package var hasSingleAttempt: Bool { details?.attempts.isEmpty ?? true }

    /// Every visible write of this completion in the order made, `writes` being the batch's: the
    /// node's own (reported by its task), then the run's: the output under the output keys (when
    /// ``wroteOutputs``), then the others the run noted (edge inputs, a gather's key). Internal keys
    /// are left out. Of equal keys the later write is the one that counts.
    package func forEachVisibleWrite(
        in writes: ContiguousArray<RecordedWrite>, _ body: (_ key: String, _ value: JSONValue) throws -> Void
    ) rethrows {
        try forEachVisibleWriteKey(in: writes) { key, value in try body(key.text, value) }
    }

    /// ``forEachVisibleWrite(in:_:)`` with the output keys as the node ids they are built from (a
    /// writer that copies a key's bytes builds no string for them). `skippingOwnOutput`: leaves out
    /// the write of ``output`` under the node's own output key (a writer that stores it apart:
    /// ``hasOwnOutputWriteAlone(in:)``).
    package func forEachVisibleWriteKey(
        in writes: ContiguousArray<RecordedWrite>, skippingOwnOutput: Bool = false,
        _ body: (_ key: VisibleWriteKey, _ value: JSONValue) throws -> Void
    ) rethrows {
        for write in nodeWrites where !ContextKeys.isInternal(write.key) { try body(.key(write.key), write.value) }
        if wroteOutputs {
            if !skippingOwnOutput { try body(.output(of: nodeID), output) }
            if let replaced = details?.replacedNodeID { try body(.output(of: replaced), output) }
        }
        for i in driverWrites where !ContextKeys.isInternal(writes[i].key) { try body(.key(writes[i].key), writes[i].value) }
    }

    /// Whether the completion wrote ``output`` under the node's own output key and no other visible
    /// write of it has that key: the write's key then says nothing the node id does not, and a
    /// writer may store the value alone (the SQLite store does: a node execution's most common
    /// write, and its longest key).
    package func hasOwnOutputWriteAlone(in writes: ContiguousArray<RecordedWrite>) -> Bool {
        guard wroteOutputs else { return false }
        for write in nodeWrites where ContextKeys.isOutputKey(write.key, of: nodeID) { return false }
        for i in driverWrites where ContextKeys.isOutputKey(writes[i].key, of: nodeID) { return false }
        // (A fallback's other output key is the replaced node's, never its own.)
        return true
    }

    /// The visible keys written (node's writes, then the run's for this completion, which win), each
    /// once, sorted by key, into `out` (emptied first): what ``RunHistoryEvent/NodeExecution/writes``
    /// holds, without a dictionary.
    package func sortedVisibleWrites(in writes: ContiguousArray<RecordedWrite>, into out: inout [RecordedWrite]) {
        out.removeAll(keepingCapacity: true)
        forEachVisibleWrite(in: writes) { out.append(RecordedWrite(key: $0, value: $1)) }
        guard out.count > 1 else { return }
        if out.count <= 16 {
            // Insertion sort: stable, so of equal keys the later write stays after the earlier.
            for i in 1..<out.count {
                var j = i
                while j > 0, out[j - 1].key > out[j].key {
                    out.swapAt(j - 1, j)
                    j -= 1
                }
            }
        } else {
            let order = out.indices.sorted { out[$0].key != out[$1].key ? out[$0].key < out[$1].key : $0 < $1 }
            out = order.map { out[$0] }
        }
        // Of equal keys, the later write is the one kept.
        var kept = 0
        for i in out.indices where i + 1 == out.count || out[i + 1].key != out[i].key {
            out[kept] = out[i]
            kept += 1
        }
        out.removeSubrange(kept...)
    }

    /// The public node execution.
    func execution(writes: ContiguousArray<RecordedWrite>) -> RunHistoryEvent.NodeExecution {
        let error = details?.error
        var visibleWrites: [String: JSONValue] = [:]
        if !nodeWrites.isEmpty || !driverWrites.isEmpty || wroteOutputs {
            visibleWrites.reserveCapacity(nodeWrites.count + driverWrites.count + (wroteOutputs ? 2 : 0))
            forEachVisibleWrite(in: writes) { visibleWrites[$0] = $1 }
        }
        return RunHistoryEvent.NodeExecution(
            nodeID: nodeID, iteration: iteration, status: status, attempts: attempts, action: action,
            fallbackNodeID: details?.fallbackNodeID,
            outputBytes: outputBytes, writes: visibleWrites, childRunID: details?.childRunID, error: error,
            errorLocation: errorLocation)
    }
}

/// The key of a visible write (``NodeExecutionRecord/forEachVisibleWriteKey(in:_:)``).
package enum VisibleWriteKey {
    /// A key as written.
    case key(String)
    /// The output key of a node (``ContextKeys/output(of:)``).
    case output(of: String)

    /// The key itself.
    package var text: String {
        switch self {
        case .key(let key): return key
        case .output(let nodeID): return ContextKeys.output(of: nodeID)
        }
    }
}

/// One context write a run recorded for its history (`.null` for a deleted key).
package struct RecordedWrite: Sendable {
    package var key: String
    package var value: JSONValue
}

/// An entry of a run's recorded history: a node execution in its compact form, the run's start or
/// end (what they say beyond the context is the batch's summary's), or any other event (rare:
/// pause, resume, redrive) already built.
package enum RecordedHistoryEntry: Sendable {
    case node(NodeExecutionRecord)
    /// The run started with this visible context (blueprint, version and parent: the summary's).
    case runStarted(sequence: Int, time: Int64, context: [String: JSONValue])
    /// The run ended (status and error: the summary's, the batch being handed over at the end).
    case runEnded(sequence: Int, time: Int64)
    /// Boxed: a built event is much larger than a record, and rare.
    indirect case event(RunHistoryEvent)

    /// The entry's sequence number.
    package var sequence: Int {
        switch self {
        case .node(let record): return record.sequence
        case .runStarted(let sequence, _, _), .runEnded(let sequence, _): return sequence
        case .event(let event): return event.sequence
        }
    }
}

/// What a run hands to ``RunHistoryDelivery``: its summary, its entries since the previous hand-over
/// and the context writes they reference. Built into a ``RunHistoryBatch`` off the run's task.
package struct RecordedHistoryBatch: Sendable {
    /// The run's summary after these entries, shared with the run (see ``SharedRunSummary``).
    package var sharedSummary: SharedRunSummary
    package var entries: ContiguousArray<RecordedHistoryEntry>
    package var writes: ContiguousArray<RecordedWrite>

    /// The run's summary after these entries.
    package var summary: RunSummary { sharedSummary.value }
    /// The run's id (read without copying the summary).
    package var runID: String { sharedSummary.value.runID }

    /// The first and the last entry's sequence numbers (`nil`: no entry). A run appends its entries
    /// in order, each numbered one above the previous one.
    package var sequences: ClosedRange<Int>? {
        guard let first = entries.first?.sequence, let last = entries.last?.sequence else { return nil }
        return first...last
    }

    package init(
        summary: SharedRunSummary, entries: ContiguousArray<RecordedHistoryEntry>, writes: ContiguousArray<RecordedWrite>
    ) {
        self.sharedSummary = summary
        self.entries = entries
        self.writes = writes
    }

    package init(summary: RunSummary, entries: ContiguousArray<RecordedHistoryEntry>, writes: ContiguousArray<RecordedWrite>) {
        self.init(summary: SharedRunSummary(summary), entries: entries, writes: writes)
    }

    /// The public event of `record` (a node execution of this batch).
    package func event(_ record: NodeExecutionRecord) -> RunHistoryEvent {
        RunHistoryEvent(sequence: record.sequence, time: record.endedAt, kind: .nodeFinished(record.execution(writes: writes)))
    }

    /// The public event of `entry` (an entry of this batch).
    package func event(_ entry: RecordedHistoryEntry) -> RunHistoryEvent {
        switch entry {
        case .node(let record):
            return event(record)
        case .runStarted(let sequence, let time, let context):
            return RunHistoryEvent(
                sequence: sequence, time: time,
                kind: .runStarted(
                    RunHistoryEvent.RunStart(
                        blueprintID: summary.blueprintID, blueprintVersion: summary.blueprintVersion,
                        parentRunID: summary.parentRunID, parentNodeID: summary.parentNodeID, context: context)))
        case .runEnded(let sequence, let time):
            return RunHistoryEvent(
                sequence: sequence, time: time,
                kind: .runEnded(
                    RunHistoryEvent.RunEnd(
                        status: summary.status, failedNodeID: summary.failedNodeID, error: summary.error,
                        errorLocation: summary.errorLocation)))
        case .event(let event):
            return event
        }
    }

    /// The public batch: every entry as its ``RunHistoryEvent``, in order.
    package func built() -> RunHistoryBatch {
        var events: [RunHistoryEvent] = []
        appendEvents(to: &events)
        return RunHistoryBatch(summary: summary, events: events)
    }

    /// Appends every entry as its ``RunHistoryEvent`` to `events`, in order.
    func appendEvents(to events: inout [RunHistoryEvent]) {
        events.reserveCapacity(events.count + entries.count)
        for entry in entries { events.append(event(entry)) }
    }

    /// The public batches of `recorded`, consecutive batches of one run as one (its latest summary,
    /// all events in order), each event built once into its batch.
    static func built(_ recorded: [RecordedHistoryBatch]) -> [RunHistoryBatch] {
        var out: [RunHistoryBatch] = []
        out.reserveCapacity(recorded.count)
        for batch in recorded {
            if let last = out.indices.last, out[last].summary.runID == batch.runID {
                out[last].summary = batch.summary
                batch.appendEvents(to: &out[last].events)
            } else {
                out.append(batch.built())
            }
        }
        return out
    }
}

/// A recorder that takes the runs' compact records (``RecordedHistoryBatch``) as they are, instead of
/// the public events ``RunHistoryDelivery`` would otherwise build for it: the SQLite store writes
/// its rows from them. The batches come in the order the runs handed them over (consecutive batches
/// of one run are not merged); the call must not keep them.
package protocol RecordedHistoryRecorder: RunHistoryRecorder {
    /// Records `batches`, in order.
    func record(recorded batches: [RecordedHistoryBatch]) async throws
}

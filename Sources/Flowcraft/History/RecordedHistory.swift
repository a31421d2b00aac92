import FlowcraftModel

/// A node execution as a run records it on its own task: only what the run already holds (string
/// and value references, two clock readings, the attempts the attempt loop reported), no byte
/// counting and no dictionary. ``RecordedHistoryBatch/built()`` turns it into the public
/// ``RunHistoryEvent/NodeExecution`` on the delivering task.
struct NodeExecutionRecord: Sendable {
    /// What only a failed, recovered or subflow execution has (allocated for those alone).
    final class Details: Sendable {
        let fallbackNodeID: String?
        let childRunID: String?
        let error: String?
        let location: SourceLocation?
        /// The attempts the attempt loop reported (only when an attempt failed).
        let attempts: [RunHistoryEvent.Attempt]

        init(
            fallbackNodeID: String?, childRunID: String?, error: String?, location: SourceLocation?,
            attempts: [RunHistoryEvent.Attempt]
        ) {
            self.fallbackNodeID = fallbackNodeID
            self.childRunID = childRunID
            self.error = error
            self.location = location
            self.attempts = attempts
        }
    }

    var sequence: Int
    /// When the execution was prepared (the first attempt's start unless the loop reported it).
    var preparedAt: Int64
    /// When the run handled its outcome: the event's time and the last attempt's end.
    var endedAt: Int64
    var nodeID: String
    var status: RunHistoryEvent.NodeExecutionStatus
    var action: String?
    /// The node's output (a reference: `JSONValue` is copy-on-write); sized when built.
    var output: JSONValue
    /// `nil` for a plain completion whose first attempt succeeded: the build makes its one attempt
    /// from `preparedAt` to `endedAt`.
    var details: Details?
    /// The keys the node wrote itself, in order (internal keys are left out when built).
    var nodeWrites: ContiguousArray<RecordedWrite>
    /// The keys the run wrote for this completion (outputs, edge inputs): a range of the batch's
    /// ``RecordedHistoryBatch/writes``; they win over the node's own writes of the same key.
    var driverWrites: Range<Int>

    /// The public node execution.
    func execution(writes: ContiguousArray<RecordedWrite>) -> RunHistoryEvent.NodeExecution {
        let error = details?.error
        var attempts = details?.attempts ?? []
        if attempts.isEmpty {
            attempts = [RunHistoryEvent.Attempt(startedAt: preparedAt, endedAt: endedAt, error: error)]
        } else if let error, attempts[attempts.count - 1].error != error {
            attempts[attempts.count - 1].error = error
        }
        var visibleWrites: [String: JSONValue] = [:]
        if !nodeWrites.isEmpty || !driverWrites.isEmpty {
            visibleWrites.reserveCapacity(nodeWrites.count + driverWrites.count)
            for write in nodeWrites where !ContextKeys.isInternal(write.key) { visibleWrites[write.key] = write.value }
            for i in driverWrites where !ContextKeys.isInternal(writes[i].key) { visibleWrites[writes[i].key] = writes[i].value }
        }
        return RunHistoryEvent.NodeExecution(
            nodeID: nodeID, status: status, attempts: attempts, action: action, fallbackNodeID: details?.fallbackNodeID,
            outputBytes: output == .null ? 0 : SizeLimits.byteCount(output), writes: visibleWrites,
            childRunID: details?.childRunID, error: error, errorLocation: error == nil ? nil : details?.location)
    }
}

/// One context write a run recorded for its history (`.null` for a deleted key).
struct RecordedWrite: Sendable {
    var key: String
    var value: JSONValue
}

/// An entry of a run's recorded history: a node execution in its compact form, or any other event
/// (rare: start, pause, resume, redrive, end) already built.
enum RecordedHistoryEntry: Sendable {
    case node(NodeExecutionRecord)
    /// Boxed: a built event is much larger than a record, and rare.
    indirect case event(RunHistoryEvent)
}

/// What a run hands to ``RunHistoryDelivery``: its summary, its entries since the previous hand-over
/// and the context writes they reference. Built into a ``RunHistoryBatch`` off the run's task.
struct RecordedHistoryBatch: Sendable {
    var summary: RunSummary
    var entries: ContiguousArray<RecordedHistoryEntry>
    var writes: ContiguousArray<RecordedWrite>

    /// The public batch: every entry as its ``RunHistoryEvent``, in order.
    func built() -> RunHistoryBatch {
        var events: [RunHistoryEvent] = []
        appendEvents(to: &events)
        return RunHistoryBatch(summary: summary, events: events)
    }

    /// Appends every entry as its ``RunHistoryEvent`` to `events`, in order.
    func appendEvents(to events: inout [RunHistoryEvent]) {
        events.reserveCapacity(events.count + entries.count)
        for entry in entries {
            switch entry {
            case .event(let event):
                events.append(event)
            case .node(let record):
                events.append(
                    RunHistoryEvent(
                        sequence: record.sequence, time: record.endedAt, kind: .nodeFinished(record.execution(writes: writes))))
            }
        }
    }

    /// The public batches of `recorded`, consecutive batches of one run as one (its latest summary,
    /// all events in order), each event built once into its batch.
    static func built(_ recorded: [RecordedHistoryBatch]) -> [RunHistoryBatch] {
        var out: [RunHistoryBatch] = []
        out.reserveCapacity(recorded.count)
        for batch in recorded {
            if let last = out.indices.last, out[last].summary.runID == batch.summary.runID {
                out[last].summary = batch.summary
                batch.appendEvents(to: &out[last].events)
            } else {
                out.append(batch.built())
            }
        }
        return out
    }
}

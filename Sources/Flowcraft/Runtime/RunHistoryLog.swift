/// One run's history while it runs in memory: its summary and the entries since the last hand-over,
/// numbered on from the run's ``RunHistoryPosition``. Held inline by the run's ``RunDriver`` and
/// confined to it (like the driver itself); node tasks only report to the run's state under their
/// execution's token (``ExecutionStamp``, ``ReportingWorkflowState``).
///
/// A node execution costs the run at most two clock readings, and usually fewer: one reading serves
/// a stretch of the run's bookkeeping between two waits (``forgetLastReading()``), in milliseconds
/// as every history time is (a chain reads the clock once per node: its next node is prepared when
/// the last one ended; a fan-out once per batch of completions the run takes, which it handles and
/// follows with the next nodes at that same time), and one compact ``NodeExecutionRecord``
/// appended to a reused buffer (references to what the run already holds); its stamp is a value
/// carried with it (no object per execution); the run's start and end are compact entries too.
/// The buffers come back from ``RunHistoryDelivery`` emptied (a short run allocates none); the
/// public events, byte counts and write dictionaries are built by the delivery on its own task, or
/// not at all for a ``RecordedHistoryRecorder`` (the SQLite store writes from the records).
struct RunHistoryLog {
    private let delivery: RunHistoryDelivery
    /// The run's state, which executions report to (``ReportingWorkflowState``).
    private let state: InMemoryWorkflowState
    private let batchSize: Int
    private let clock: any RuntimeClock
    /// Whether ``clock`` is the ``SystemClock`` (``FlowRuntime/clockIsSystem``): read directly then
    /// (no existential call per reading).
    private let clockIsSystem: Bool
    /// The run's summary, shared with the batches handed over (changed through
    /// ``changeSummary(_:)``, which copies it first while a batch still holds it).
    private var sharedSummary: SharedRunSummary
    private var nextSequence: Int
    private var entries: ContiguousArray<RecordedHistoryEntry> = []
    /// Context writes the run made for the recorded (and the pending) completions.
    private var writes: ContiguousArray<RecordedWrite> = []
    /// Where the writes of the completion being recorded start in `writes`.
    private var pendingWritesStart = 0
    /// The stamp of the completion the driver is handling (set by the driver, taken by `finished`).
    var activeStamp: ExecutionStamp?
    /// The token of the next execution prepared (``makeStamp(iteration:)``).
    private var nextToken = 0
    /// The clock reading of the run's current stretch of bookkeeping, until it waits or does
    /// anything but bookkeeping (``forgetLastReading()``): executions prepared or ended before that
    /// are stamped with this time.
    private var lastReading: Int64?
    /// The entries a buffer makes room for: the plan's nodes and the run's start and end, at most a
    /// batch.
    private let expectedEntries: Int

    init(
        delivery: RunHistoryDelivery, state: InMemoryWorkflowState, batchSize: Int, clock: any RuntimeClock,
        clockIsSystem: Bool, runID: String, plan: CompiledBlueprint, position: RunHistoryPosition
    ) {
        self.delivery = delivery
        self.state = state
        self.batchSize = batchSize
        self.clock = clock
        self.clockIsSystem = clockIsSystem
        self.nextSequence = position.nextSequence
        self.expectedEntries = min(batchSize, plan.nodes.count + 2)
        let summary = RunSummary(
            runID: runID, blueprintID: plan.id, blueprintVersion: plan.blueprint.effectiveVersion, status: .running,
            startedAt: position.startedAt, parentRunID: position.parentRunID, parentNodeID: position.parentNodeID)
        // Everything the run starts with in one lock; a reused box frees an earlier run's summary here.
        let spares = delivery.spares(entries: expectedEntries, writes: 2 * expectedEntries)
        if let box = spares.summary {
            box.value = summary
            self.sharedSummary = box
        } else {
            self.sharedSummary = SharedRunSummary(summary)
        }
        if let buffer = spares.entries { entries = buffer }
        if let buffer = spares.writes { writes = buffer }
    }

    /// Changes the summary in place, or a copy of it when a handed-over batch still holds it.
    private mutating func changeSummary(_ change: (inout RunSummary) -> Void) {
        if !isKnownUniquelyReferenced(&sharedSummary) { sharedSummary = SharedRunSummary(sharedSummary.value) }
        change(&sharedSummary.value)
    }

    /// Where the run stands, for a paused run's snapshot.
    var position: RunHistoryPosition {
        RunHistoryPosition(
            startedAt: sharedSummary.value.startedAt, nextSequence: nextSequence,
            parentRunID: sharedSummary.value.parentRunID, parentNodeID: sharedSummary.value.parentNodeID)
    }

    @inline(__always)
    func now() -> Int64 { clockIsSystem ? SystemClock.readRealtime() : clock.now() }

    /// The current stretch's reading, or a fresh one (not `lastReading ?? now()`: the autoclosure
    /// captured a copy of this whole log, its clock and every reference, at each call).
    @inline(__always)
    private func reading() -> Int64 {
        if let lastReading { return lastReading }
        return now()
    }

    mutating func append(_ kind: RunHistoryEvent.Kind, at time: Int64? = nil) {
        reserveIfEmpty()
        let stamped: Int64
        if let time { stamped = time } else { stamped = now() }
        entries.append(.event(RunHistoryEvent(sequence: nextSequence, time: stamped, kind: kind)))
        nextSequence += 1
        if entries.count >= batchSize { handOver() }
    }

    /// The run started with the visible `context`.
    mutating func started(context: [String: JSONValue]) {
        reserveIfEmpty()
        // A fresh run starts when its summary says (read when the run was set up, just before);
        // its first node is prepared then too.
        let time = nextSequence == 1 ? sharedSummary.value.startedAt : now()
        lastReading = time
        entries.append(.runStarted(sequence: nextSequence, time: time, context: context))
        nextSequence += 1
        if entries.count >= batchSize { handOver() }
    }

    /// Gives the recorded entries and the current summary to the delivery (never waits). The buffers
    /// are handed over whole; writes of a completion not recorded yet stay.
    mutating func handOver() {
        guard !entries.isEmpty else { return }
        var carried: ContiguousArray<RecordedWrite> = []
        if pendingWritesStart < writes.count {
            carried.append(contentsOf: writes[pendingWritesStart...])
            writes.removeSubrange(pendingWritesStart...)
        }
        // Moved out, not copied: the delivery holds the only reference.
        var handedEntries: ContiguousArray<RecordedHistoryEntry> = []
        swap(&handedEntries, &entries)
        var handedWrites = carried
        swap(&handedWrites, &writes)
        pendingWritesStart = 0
        // Consumed, not copied (a copy cost a retain and a release per buffer: 3 of each per run).
        delivery.enqueue(
            RecordedHistoryBatch(summary: sharedSummary, entries: consume handedEntries, writes: consume handedWrites))
    }

    /// Room for a short run's entries (or a batch) at once, instead of growing step by step: a
    /// node execution each, and the run's other events.
    @inline(__always)
    private mutating func reserveIfEmpty() {
        if entries.capacity == 0 || writes.capacity == 0 { reserve() }
    }

    private mutating func reserve() {
        let needsEntries = entries.capacity == 0
        let needsWrites = writes.capacity == 0
        let spares = delivery.spareBuffers(
            entries: needsEntries ? expectedEntries : nil, writes: needsWrites ? 2 * expectedEntries : nil)
        if needsEntries {
            if let buffer = spares.entries {
                entries = buffer
            } else {
                entries.reserveCapacity(expectedEntries)
            }
        }
        if needsWrites {
            if let buffer = spares.writes {
                writes = buffer
            } else {
                writes.reserveCapacity(2 * expectedEntries)
            }
        }
    }

    // MARK: - Node executions

    /// The stamp of an execution that starts now in loop `iteration`.
    mutating func makeStamp(iteration: Int) -> ExecutionStamp {
        let now = reading()
        lastReading = now
        nextToken += 1
        return ExecutionStamp(preparedAt: now, iteration: iteration, token: nextToken)
    }

    /// The run is about to wait or run something (a node, a child run, an event handler), or has
    /// waited: the next execution is prepared, or ends, at a fresh clock reading.
    mutating func forgetLastReading() { lastReading = nil }

    /// Notes a key the driver writes for the completion being recorded (outputs, edge inputs);
    /// internal keys are left out when the event is built.
    mutating func driverWrote(_ key: String, _ value: JSONValue) {
        reserveIfEmpty()
        writes.append(RecordedWrite(key: key, value: value))
    }

    /// Records `item`'s execution as node `nodeID` in loop `iteration` (the stamp's, when the
    /// completion has one); `error` is the failure, if any. `wroteOutputs`:
    /// the run wrote `output` under the node's output key (and `replacedNodeID`'s, for a fallback)
    /// without noting it (``RunDriver``'s `writeOutputs`): the record derives those writes.
    mutating func finished(
        _ item: WorkItem, nodeID: String, iteration: Int, status: RunHistoryEvent.NodeExecutionStatus, action: String? = nil,
        output: JSONValue = .null, wroteOutputs: Bool = false, replacedNodeID: String? = nil,
        fallbackNodeID: String? = nil, childRunID: String? = nil, error: String? = nil,
        location: SourceLocation? = nil
    ) {
        let end = reading()
        var preparedAt = end
        var reported: ExecutionReport?
        var iteration = iteration
        if let stamp = activeStamp.take() {
            preparedAt = stamp.preparedAt
            iteration = stamp.iteration
            reported = state.takeReport(stamp.token)
        }
        var details: NodeExecutionRecord.Details?
        if error != nil || fallbackNodeID != nil || childRunID != nil || replacedNodeID != nil
            || reported?.attempts.isEmpty == false
        {
            details = NodeExecutionRecord.Details(
                fallbackNodeID: fallbackNodeID, childRunID: childRunID, error: error, location: location,
                attempts: reported?.attempts ?? [], replacedNodeID: replacedNodeID)
        }
        reserveIfEmpty()
        entries.append(
            .node(
                NodeExecutionRecord(
                    sequence: nextSequence, preparedAt: preparedAt, endedAt: end, nodeID: nodeID,
                    iteration: iteration, status: status, action: action, output: output, wroteOutputs: wroteOutputs, details: details,
                    nodeWrites: reported?.writes ?? [], driverWrites: pendingWritesStart..<writes.count)))
        pendingWritesStart = writes.count
        nextSequence += 1
        lastReading = end
        if entries.count >= batchSize { handOver() }
    }

    /// Forgets the driver's writes of a completion that records nothing (e.g. a cancelled one).
    mutating func discardDriverWrites() { writes.removeSubrange(pendingWritesStart...) }

    // MARK: - Run events

    /// The run paused on `nodes`: records it and hands the history over.
    mutating func paused(_ nodes: [String]) {
        changeSummary { $0.status = .waiting }
        append(.paused(nodes: nodes))
        handOver()
    }

    /// A failed run was redriven: it runs again from `nodes` (the summary's end and error are cleared).
    mutating func redriven(_ nodes: [String], count: Int) {
        changeSummary { summary in
            summary.status = .running
            summary.endedAt = nil
            summary.failedNodeID = nil
            summary.error = nil
            summary.errorLocation = nil
            summary.redriveCount = count
        }
        append(.redriven(nodes: nodes))
    }

    /// The run ended: records it and hands the history over.
    mutating func ended(_ status: RunHistoryStatus, error: WorkflowError?) {
        // The run ends when its last recorded execution ended, unless it did more since.
        let end = reading()
        lastReading = nil
        changeSummary { summary in
            summary.status = status
            summary.endedAt = end
            summary.failedNodeID = error?.nodeID
            summary.error = error?.message
            summary.errorLocation = error?.location
        }
        // The end event says what the summary says: built from it by the delivery.
        reserveIfEmpty()
        entries.append(.runEnded(sequence: nextSequence, time: end))
        nextSequence += 1
        handOver()
    }
}

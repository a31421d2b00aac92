import Synchronization

/// One run's history while it runs in memory: its summary and the events since the last hand-over,
/// numbered on from the run's ``RunHistoryPosition``. Confined to the run's ``RunDriver`` (like the
/// driver itself); node tasks only touch their ``NodeHistoryProbe``.
final class RunHistoryLog {
    private let delivery: RunHistoryDelivery
    private let batchSize: Int
    private let clock: any RuntimeClock
    private(set) var summary: RunSummary
    private var nextSequence: Int
    private var buffer: [RunHistoryEvent] = []
    /// The probe of the completion the driver is handling (set by the driver, taken by `finished`).
    var activeProbe: NodeHistoryProbe?
    /// Visible keys the driver wrote for the completion being recorded (outputs, edge inputs).
    private var driverWrites: [(String, JSONValue)] = []

    init(
        delivery: RunHistoryDelivery, batchSize: Int, clock: any RuntimeClock, runID: String, plan: CompiledBlueprint,
        position: RunHistoryPosition
    ) {
        self.delivery = delivery
        self.batchSize = batchSize
        self.clock = clock
        self.nextSequence = position.nextSequence
        self.summary = RunSummary(
            runID: runID, blueprintID: plan.id, blueprintVersion: plan.blueprint.effectiveVersion, status: .running,
            startedAt: position.startedAt, parentRunID: position.parentRunID, parentNodeID: position.parentNodeID)
    }

    /// Where the run stands, for a paused run's snapshot.
    var position: RunHistoryPosition {
        RunHistoryPosition(
            startedAt: summary.startedAt, nextSequence: nextSequence, parentRunID: summary.parentRunID,
            parentNodeID: summary.parentNodeID)
    }

    func now() -> Int64 { clock.now() }

    func append(_ kind: RunHistoryEvent.Kind, at time: Int64? = nil) {
        buffer.append(RunHistoryEvent(sequence: nextSequence, time: time ?? clock.now(), kind: kind))
        nextSequence += 1
        if buffer.count >= batchSize { handOver() }
    }

    /// Gives the buffered events and the current summary to the delivery (never waits).
    func handOver() {
        guard !buffer.isEmpty else { return }
        delivery.enqueue(RunHistoryBatch(summary: summary, events: buffer))
        buffer = []
    }

    // MARK: - Node executions

    /// The probe of an item that starts now.
    func makeProbe() -> NodeHistoryProbe {
        NodeHistoryProbe(preparedAt: clock.now())
    }

    /// Notes a visible key the driver writes for the completion being recorded.
    func driverWrote(_ key: String, _ value: JSONValue) {
        guard !ContextKeys.isInternal(key) else { return }
        driverWrites.append((key, value))
    }

    /// Records `item`'s execution as node `nodeID`; `error` is the failure, if any.
    func finished(
        _ item: WorkItem, nodeID: String, status: RunHistoryEvent.NodeExecutionStatus, action: String? = nil,
        output: JSONValue = .null, fallbackNodeID: String? = nil, childRunID: String? = nil, error: String? = nil,
        location: SourceLocation? = nil
    ) {
        let probe = activeProbe
        activeProbe = nil
        let end = clock.now()
        var (attempts, writes) = probe?.taken() ?? ([], [:])
        if attempts.isEmpty {
            attempts = [RunHistoryEvent.Attempt(startedAt: probe?.preparedAt ?? end, endedAt: end, error: error)]
        } else if let error, attempts[attempts.count - 1].error != error {
            attempts[attempts.count - 1].error = error
        }
        if !driverWrites.isEmpty {
            if writes.isEmpty { writes = Dictionary(minimumCapacity: driverWrites.count) }
            for (key, value) in driverWrites { writes[key] = value }
            driverWrites.removeAll(keepingCapacity: true)
        }
        let execution = RunHistoryEvent.NodeExecution(
            nodeID: nodeID, status: status, attempts: attempts, action: action, fallbackNodeID: fallbackNodeID,
            outputBytes: output == .null ? 0 : SizeLimits.byteCount(output), writes: writes, childRunID: childRunID,
            error: error, errorLocation: error == nil ? nil : location)
        append(.nodeFinished(execution), at: end)
    }

    /// Forgets the driver's writes of a completion that records nothing (e.g. a cancelled one).
    func discardDriverWrites() { driverWrites.removeAll(keepingCapacity: true) }

    // MARK: - Run events

    /// The run paused on `nodes`: records it and hands the history over.
    func paused(_ nodes: [String]) {
        summary.status = .waiting
        append(.paused(nodes: nodes))
        handOver()
    }

    /// A failed run was redriven: it runs again from `nodes` (the summary's end and error are cleared).
    func redriven(_ nodes: [String], count: Int) {
        summary.status = .running
        summary.endedAt = nil
        summary.failedNodeID = nil
        summary.error = nil
        summary.errorLocation = nil
        summary.redriveCount = count
        append(.redriven(nodes: nodes))
    }

    /// The run ended: records it and hands the history over.
    func ended(_ status: RunHistoryStatus, error: WorkflowError?) {
        summary.status = status
        summary.endedAt = clock.now()
        summary.failedNodeID = error?.nodeID
        summary.error = error?.message
        summary.errorLocation = error?.location
        append(
            .runEnded(
                RunHistoryEvent.RunEnd(
                    status: status, failedNodeID: error?.nodeID, error: error?.message, errorLocation: error?.location)))
        handOver()
    }
}

/// What one node execution's task reports to the history: each attempt's times and error and the
/// visible keys the node wrote. Attempts run one after another, so the lock is never contended.
final class NodeHistoryProbe: Sendable {
    let preparedAt: Int64
    private let state = Mutex<(attempts: [RunHistoryEvent.Attempt], writes: [String: JSONValue])>(([], [:]))

    init(preparedAt: Int64) {
        self.preparedAt = preparedAt
    }

    func attempt(startedAt: Int64, endedAt: Int64, error: String?) {
        state.withLock {
            $0.attempts.append(RunHistoryEvent.Attempt(startedAt: startedAt, endedAt: endedAt, error: error))
        }
    }

    func wrote(_ key: String, _ value: JSONValue?) {
        guard !ContextKeys.isInternal(key) else { return }
        state.withLock { $0.writes[key] = value ?? .null }
    }

    func taken() -> ([RunHistoryEvent.Attempt], [String: JSONValue]) {
        state.withLock { s in
            let taken = (s.attempts, s.writes)
            s = ([], [:])
            return taken
        }
    }
}

/// A node implementation that reports each attempt's times and error to its probe.
struct HistoryTimedNode: NodeImplementation {
    let implementation: any NodeImplementation
    let probe: NodeHistoryProbe
    let clock: any RuntimeClock

    func run(_ context: NodeContext) async throws -> NodeResult {
        let start = clock.now()
        do {
            let result = try await implementation.run(context)
            probe.attempt(startedAt: start, endedAt: clock.now(), error: nil)
            return result
        } catch {
            probe.attempt(startedAt: start, endedAt: clock.now(), error: NodeAttemptLoop.describe(error))
            throw error
        }
    }
}

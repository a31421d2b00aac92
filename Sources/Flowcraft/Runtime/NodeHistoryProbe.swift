import Synchronization

/// What one node execution's task reports to the run's history: the attempts when one failed (the
/// attempt loop reports them) and the keys the node wrote. One per execution, only when the run
/// records history; attempts run one after another, so the lock is never contended. The run reuses
/// a probe for a later execution once nothing else holds it (``RunHistoryLog/makeProbe(writingTo:)``).
///
/// It is also the state the node sees when no event handler is set: writes go to the run's state
/// and are reported here (one reference for the node's context to hold, no closure per node).
final class NodeHistoryProbe: WorkflowState {
    /// What the probe collected.
    struct Reported: Sendable {
        var attempts: [RunHistoryEvent.Attempt] = []
        var writes: ContiguousArray<RecordedWrite> = []
    }

    /// What the execution's task reported (locked: a node may write from tasks of its own).
    private let reported = Mutex(Reported())
    /// Whether ``reported`` holds anything: the run reads the usual empty report without the lock.
    private let hasReports = Atomic<Bool>(false)
    private let preparedAtReading: Atomic<Int64>
    private let iterationReading: Atomic<Int>
    /// The run's state, which the node's writes go to.
    let base: InMemoryWorkflowState

    init(preparedAt: Int64, iteration: Int, base: InMemoryWorkflowState) {
        preparedAtReading = Atomic(preparedAt)
        iterationReading = Atomic(iteration)
        self.base = base
    }

    /// When the execution was prepared: the first attempt's start.
    var preparedAt: Int64 { preparedAtReading.load(ordering: .relaxed) }

    /// The execution's loop iteration (``IterationNumbering``), set when it was prepared.
    var iteration: Int { iterationReading.load(ordering: .relaxed) }

    /// Starts the probe over for an execution prepared at `preparedAt` in `iteration` (only by the
    /// run, when it holds the only reference).
    func restart(preparedAt: Int64, iteration: Int) {
        preparedAtReading.store(preparedAt, ordering: .relaxed)
        iterationReading.store(iteration, ordering: .relaxed)
        // Something reported after the last take (a write from a task the node left behind) belongs
        // to no execution: dropped, as before the probe was reused.
        if hasReports.load(ordering: .acquiring) { _ = takeReported() }
    }

    /// An attempt from `startedAt` to `endedAt` (`error` when it failed).
    func attempt(startedAt: Int64, endedAt: Int64, error: String?) {
        reported.withLock {
            $0.attempts.append(RunHistoryEvent.Attempt(startedAt: startedAt, endedAt: endedAt, error: error))
        }
        hasReports.store(true, ordering: .releasing)
    }

    /// The node wrote `key` (`nil` when it deleted it).
    func wrote(_ key: String, _ value: JSONValue?) {
        reported.withLock { $0.writes.append(RecordedWrite(key: key, value: value ?? .null)) }
        hasReports.store(true, ordering: .releasing)
    }

    /// When the execution was prepared and everything reported so far (`nil`: nothing, the usual
    /// case, which costs no array); the report starts empty again.
    func taken() -> (preparedAt: Int64, reported: Reported?) {
        let preparedAt = preparedAtReading.load(ordering: .relaxed)
        // The execution's task has finished (the run awaited it): what it reported is visible.
        guard hasReports.load(ordering: .acquiring) else { return (preparedAt, nil) }
        return (preparedAt, takeReported())
    }

    private func takeReported() -> Reported {
        hasReports.store(false, ordering: .relaxed)
        return reported.withLock { r in
            var taken = Reported()
            swap(&taken, &r)
            return taken
        }
    }
}

// MARK: - WorkflowState

extension NodeHistoryProbe {
    func get(_ key: String) async throws -> JSONValue? { base.value(forKey: key) }
    func set(_ key: String, _ value: JSONValue) async throws {
        base.setValue(value, forKey: key)
        wrote(key, value)
    }
    func delete(_ key: String) async throws {
        base.removeValue(forKey: key)
        wrote(key, nil)
    }
    func patch(_ values: [String: JSONValue]) async throws {
        try await base.patch(values)
        for (key, value) in values.sorted(by: { $0.key < $1.key }) { wrote(key, value) }
    }
    func snapshot() async throws -> [String: JSONValue] { base.dictionary }
}

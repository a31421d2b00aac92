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

    private struct State {
        var preparedAt: Int64
        var reported = Reported()
    }

    private let state: Mutex<State>
    /// The run's state, which the node's writes go to.
    let base: InMemoryWorkflowState

    init(preparedAt: Int64, base: InMemoryWorkflowState) {
        state = Mutex(State(preparedAt: preparedAt))
        self.base = base
    }

    /// When the execution was prepared: the first attempt's start.
    var preparedAt: Int64 { state.withLock { $0.preparedAt } }

    /// Starts the probe over for an execution prepared at `preparedAt` (only by the run, when it
    /// holds the only reference).
    func restart(preparedAt: Int64) {
        state.withLock { $0 = State(preparedAt: preparedAt) }
    }

    /// An attempt from `startedAt` to `endedAt` (`error` when it failed).
    func attempt(startedAt: Int64, endedAt: Int64, error: String?) {
        state.withLock {
            $0.reported.attempts.append(RunHistoryEvent.Attempt(startedAt: startedAt, endedAt: endedAt, error: error))
        }
    }

    /// The node wrote `key` (`nil` when it deleted it).
    func wrote(_ key: String, _ value: JSONValue?) {
        state.withLock { $0.reported.writes.append(RecordedWrite(key: key, value: value ?? .null)) }
    }

    /// When the execution was prepared and everything reported so far (`nil`: nothing, the usual
    /// case, which costs no array); the report starts empty again.
    func taken() -> (preparedAt: Int64, reported: Reported?) {
        state.withLock { s in
            guard !s.reported.attempts.isEmpty || !s.reported.writes.isEmpty else { return (s.preparedAt, nil) }
            var taken = Reported()
            swap(&taken, &s.reported)
            return (s.preparedAt, taken)
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

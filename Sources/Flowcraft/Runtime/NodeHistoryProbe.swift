import Synchronization

/// What one node execution's task reports to the run's history: the attempts when one failed (the
/// attempt loop reports them) and the keys the node wrote. One per execution, only when the run
/// records history; attempts run one after another, so the lock is never contended.
final class NodeHistoryProbe: Sendable {
    /// What the probe collected.
    struct Reported: Sendable {
        var attempts: [RunHistoryEvent.Attempt] = []
        var writes: ContiguousArray<RecordedWrite> = []
    }

    /// When the execution was prepared: the first attempt's start.
    let preparedAt: Int64
    private let state = Mutex(Reported())

    init(preparedAt: Int64) {
        self.preparedAt = preparedAt
    }

    /// An attempt from `startedAt` to `endedAt` (`error` when it failed).
    func attempt(startedAt: Int64, endedAt: Int64, error: String?) {
        state.withLock {
            $0.attempts.append(RunHistoryEvent.Attempt(startedAt: startedAt, endedAt: endedAt, error: error))
        }
    }

    /// The node wrote `key` (`nil` when it deleted it).
    func wrote(_ key: String, _ value: JSONValue?) {
        state.withLock { $0.writes.append(RecordedWrite(key: key, value: value ?? .null)) }
    }

    /// Everything reported so far; the probe starts empty again.
    func taken() -> Reported {
        state.withLock { s in
            let taken = s
            s = Reported()
            return taken
        }
    }
}

/// The state a node sees when the run records history and no event handler is set: writes go to the
/// run's state and are reported to the node's probe (no closure per node, unlike
/// ``ObservedWorkflowState``).
struct ProbedWorkflowState: WorkflowState {
    let base: InMemoryWorkflowState
    let probe: NodeHistoryProbe

    func get(_ key: String) async throws -> JSONValue? { base.value(forKey: key) }
    func set(_ key: String, _ value: JSONValue) async throws {
        base.setValue(value, forKey: key)
        probe.wrote(key, value)
    }
    func delete(_ key: String) async throws {
        base.removeValue(forKey: key)
        probe.wrote(key, nil)
    }
    func patch(_ values: [String: JSONValue]) async throws {
        try await base.patch(values)
        for (key, value) in values.sorted(by: { $0.key < $1.key }) { probe.wrote(key, value) }
    }
    func snapshot() async throws -> [String: JSONValue] { base.dictionary }
}

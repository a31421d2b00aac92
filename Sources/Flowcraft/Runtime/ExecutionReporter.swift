/// One node execution's place in its run's history (only when the run records history): when it
/// was prepared, its loop iteration (``IterationNumbering``), and the token under which its task
/// reports to the run's state (``ExecutionReporter``). A value carried with the execution (its
/// job, its completion, a paused subflow's call): no object per execution.
struct ExecutionStamp: Sendable {
    /// When the execution was prepared: its first attempt's start.
    var preparedAt: Int64
    var iteration: Int
    /// Unique among the run's executions (``RunHistoryLog/makeStamp(iteration:)``).
    var token: Int
}

/// What one execution's task reports to the run's history: the keys the node writes and, once an
/// attempt failed, every attempt. Reports go to the run's ``InMemoryWorkflowState`` under the
/// execution's token, in the lock of the write itself; the run takes them when it records the
/// execution (``InMemoryWorkflowState/takeReport(_:)``, which costs no lock while nothing was
/// reported: the usual case).
struct ExecutionReporter: Sendable {
    let state: InMemoryWorkflowState
    let stamp: ExecutionStamp

    /// The state the node sees: writes go to the run's state and are reported.
    var nodeState: ReportingWorkflowState { ReportingWorkflowState(base: state, token: stamp.token) }

    /// An attempt from `startedAt` (`nil`: when the execution was prepared) to `endedAt`; `error`
    /// when it failed.
    func attempt(startedAt: Int64?, endedAt: Int64, error: String?) {
        state.report(
            RunHistoryEvent.Attempt(startedAt: startedAt ?? stamp.preparedAt, endedAt: endedAt, error: error),
            to: stamp.token)
    }

    /// A key written for the execution by someone else than the node (a subflow's `outputs` mapping).
    func wrote(_ key: String, _ value: JSONValue?) { state.report(write: key, value, to: stamp.token) }
}

/// The state a node sees when its run records history and no event handler is set: the run's
/// state, its writes reported under the execution's token. Two words: held inline by the node
/// context's existential (no allocation per execution).
struct ReportingWorkflowState: WorkflowState {
    let base: InMemoryWorkflowState
    let token: Int

    func get(_ key: String) async throws -> JSONValue? { base.value(forKey: key) }
    func set(_ key: String, _ value: JSONValue) async throws { base.setValue(value, forKey: key, reportingTo: token) }
    func delete(_ key: String) async throws { base.removeValue(forKey: key, reportingTo: token) }
    func patch(_ values: [String: JSONValue]) async throws { base.patch(values, reportingTo: token) }
    func snapshot() async throws -> [String: JSONValue] { base.dictionary }
}

/// What an execution's task reported (``ExecutionReporter``).
struct ExecutionReport: Sendable {
    var attempts: [RunHistoryEvent.Attempt] = []
    var writes: ContiguousArray<RecordedWrite> = []
}

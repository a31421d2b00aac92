/// One node execution's place in its run's history (only when the run records history): when it
/// was prepared, its loop iteration (``IterationNumbering``), and the token under which its task
/// reports to the run's state (``ReportingWorkflowState``). A value carried with the execution (its
/// job, its completion, a subflow's call): no object and no reference per execution.
struct ExecutionStamp: Sendable {
    /// When the execution was prepared: its first attempt's start.
    var preparedAt: Int64
    var iteration: Int
    /// Unique among the run's executions (``RunHistoryLog/makeStamp(iteration:)``).
    var token: Int
}

/// A node's view of the run's state that reports to the in-memory run's history: besides its
/// writes, the attempts of the execution once one failed (``NodeAttemptLoop`` finds it through the
/// node's context: the job holds no reference of its own for it).
protocol ExecutionReportingState: WorkflowState {
    /// Reports an attempt of the execution whose state this is.
    func report(_ attempt: RunHistoryEvent.Attempt)
}

/// The state a node sees when its run records history and no event handler is set: the run's
/// state, its writes reported under the execution's token in the write's own lock. Two words: held
/// inline by the node context's existential (no allocation per execution).
struct ReportingWorkflowState: ExecutionReportingState {
    let base: InMemoryWorkflowState
    let token: Int

    func get(_ key: String) async throws -> JSONValue? { base.value(forKey: key) }
    func set(_ key: String, _ value: JSONValue) async throws { base.setValue(value, forKey: key, reportingTo: token) }
    func delete(_ key: String) async throws { base.removeValue(forKey: key, reportingTo: token) }
    func patch(_ values: [String: JSONValue]) async throws { base.patch(values, reportingTo: token) }
    func snapshot() async throws -> [String: JSONValue] { base.dictionary }
    func report(_ attempt: RunHistoryEvent.Attempt) { base.report(attempt, to: token) }
}

/// What an execution's task reported (``InMemoryWorkflowState/takeReport(_:)``).
struct ExecutionReport: Sendable {
    var attempts: [RunHistoryEvent.Attempt] = []
    var writes: ContiguousArray<RecordedWrite> = []
}

/// The state a node sees when ``SizeLimits/maximumValueBytes`` is set: a write of a larger value is
/// refused with a ``FatalNodeError`` (the run fails, no retry, no fallback) and not stored.
struct SizeLimitedWorkflowState: ExecutionReportingState {
    let base: any WorkflowState
    let limits: SizeLimits
    let nodeID: String

    func get(_ key: String) async throws -> JSONValue? { try await base.get(key) }

    func set(_ key: String, _ value: JSONValue) async throws {
        try check(key, value)
        try await base.set(key, value)
    }

    func delete(_ key: String) async throws { try await base.delete(key) }

    func patch(_ values: [String: JSONValue]) async throws {
        for (key, value) in values.sorted(by: { $0.key < $1.key }) { try check(key, value) }
        try await base.patch(values)
    }

    func snapshot() async throws -> [String: JSONValue] { try await base.snapshot() }

    /// Passed on to the state it wraps, when that one reports to the run's history.
    func report(_ attempt: RunHistoryEvent.Attempt) { (base as? any ExecutionReportingState)?.report(attempt) }

    private func check(_ key: String, _ value: JSONValue) throws {
        if let violation = limits.checkValue(value, key: key, nodeID: nodeID) { throw FatalNodeError(violation.message) }
    }
}

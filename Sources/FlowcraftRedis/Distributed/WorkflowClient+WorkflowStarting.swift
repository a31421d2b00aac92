import Flowcraft

/// The distributed engine behind the generated typed clients:
/// `try await workflowClient.start(orderFulfillment: order).result()`.
extension WorkflowClient: WorkflowStarting {
    public func startRun(blueprintID: String, context: [String: JSONValue], runID: String?) async throws -> String {
        try await startWorkflow(blueprintID: blueprintID, context: context, runID: runID)
    }

    public func runState(_ runID: String) async throws -> WorkflowRunState? {
        try await status(runID).map(\.runState)
    }

    public func awaitRun(_ runID: String, timeout: Duration, returnWhenAwaiting: Bool) async throws -> WorkflowRunState {
        try await result(runID, timeout: timeout, returnWhenAwaiting: returnWhenAwaiting).runState
    }

    public func resumeRun(_ runID: String, nodeID: String?, action: String?, output: JSONValue) async throws {
        try await resume(runID, nodeID: nodeID, action: action, output: output)
    }
}

extension DistributedRunStatus {
    /// The engine-independent form (`WorkflowStarting`).
    public var runState: WorkflowRunState {
        let phase: WorkflowRunState.Status
        switch status {
        case .completed: phase = .completed
        case .failed: phase = .failed
        case .cancelled: phase = .cancelled
        case .awaiting: phase = .awaiting
        case .running: phase = .running
        }
        return WorkflowRunState(status: phase, context: context, reason: reason, nodeID: nodeID)
    }
}

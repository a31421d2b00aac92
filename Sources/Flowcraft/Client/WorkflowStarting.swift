/// An engine that starts runs by blueprint id and reports on them by run id, so generated typed
/// clients (`client.start(orderFulfillment: order)`) work with any engine without depending on it.
///
/// `WorkflowClient` (FlowcraftRedis) conforms; the generated code only names this protocol, so an
/// app that runs blueprints in memory only never links the distributed engine.
public protocol WorkflowStarting: Sendable {
    /// Starts a run of blueprint `blueprintID` with `context` as its initial state; returns its id.
    func startRun(blueprintID: String, context: [String: JSONValue], runID: String?) async throws -> String

    /// The run's current (or final) state; `nil` for an unknown run.
    func runState(_ runID: String) async throws -> WorkflowRunState?

    /// Waits until the run completes, fails or is cancelled, or (when `returnWhenAwaiting`) pauses on
    /// a `wait` node. Throws when `timeout` passes first.
    func awaitRun(_ runID: String, timeout: Duration, returnWhenAwaiting: Bool) async throws -> WorkflowRunState

    /// Resumes a run paused on a `wait` node (the first one when `nodeID` is nil, looking into paused
    /// subflows too): the node completes with `output` and routes by `action`. An action the node's
    /// edges do not route is refused before anything changes.
    func resumeRun(_ runID: String, nodeID: String?, action: String?, output: JSONValue) async throws
}

extension WorkflowStarting {
    /// Starts a run of `blueprintID` and returns a handle reading the run's result as `Output`:
    /// the output of node `outputNode` when given, else the whole final context.
    public func startRun<Output: Decodable & Sendable>(
        blueprintID: String, context: [String: JSONValue], runID: String?, outputNode: String?
    ) async throws -> TypedRunHandle<Output> {
        let id = try await startRun(blueprintID: blueprintID, context: context, runID: runID)
        return TypedRunHandle(runID: id, blueprintID: blueprintID, outputNode: outputNode, engine: self)
    }
}

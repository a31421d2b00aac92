/// A run started through a generated typed client (`client.start(orderFulfillment: order)`): its id,
/// its state, and its result decoded as the blueprint's declared `Output`.
///
/// ```swift
/// let run = try await client.start(orderFulfillment: order)
/// let receipt = try await run.result(timeout: .seconds(30))   // Output, e.g. `Receipt`
/// ```
public struct TypedRunHandle<Output: Decodable & Sendable>: Sendable {
    /// The run's id.
    public let runID: String
    /// The id of the blueprint the run runs.
    public let blueprintID: String
    /// The node whose output is the run's result (`_outputs.<node>`); `nil`: the whole final context.
    public let outputNode: String?
    let engine: any WorkflowStarting

    /// A handle on an existing run (e.g. one started by another process).
    public init(runID: String, blueprintID: String, outputNode: String?, engine: any WorkflowStarting) {
        self.runID = runID
        self.blueprintID = blueprintID
        self.outputNode = outputNode
        self.engine = engine
    }

    /// The run's current (or final) state. Throws ``TypedRunError/unknownRun(runID:)`` when the
    /// engine has no such run.
    public func status() async throws -> WorkflowRunState {
        guard let state = try await engine.runState(runID) else { throw TypedRunError.unknownRun(runID: runID) }
        return state
    }

    /// Waits for the run to complete and returns its result as `Output`. Throws ``TypedRunError``
    /// when the run fails, is cancelled, or pauses on a `wait` node (resume it, then ask again), and
    /// when `timeout` passes first.
    public func result(timeout: Duration = .seconds(60)) async throws -> Output {
        try output(of: try await engine.awaitRun(runID, timeout: timeout, returnWhenAwaiting: true))
    }

    /// Waits until the run ends or pauses on a `wait` node, and returns its state.
    public func settled(timeout: Duration = .seconds(60)) async throws -> WorkflowRunState {
        try await engine.awaitRun(runID, timeout: timeout, returnWhenAwaiting: true)
    }

    /// Resumes the run at a paused `wait` node with a string action (checked at run time: an action
    /// the node does not route is refused). Generated code adds typed overloads per `wait` node.
    public func resume(nodeID: String? = nil, action: String? = nil, output: JSONValue = .null) async throws {
        try await engine.resumeRun(runID, nodeID: nodeID, action: action, output: output)
    }

    /// The result of a finished run as `Output`; throws ``TypedRunError`` for any other state.
    public func output(of state: WorkflowRunState) throws -> Output {
        switch state.status {
        case .completed: break
        case .awaiting: throw TypedRunError.awaiting(runID: runID)
        case .running: throw TypedRunError.notFinished(runID: runID)
        case .failed, .cancelled:
            throw TypedRunError.unsuccessful(runID: runID, status: state.status, reason: state.reason, nodeID: state.nodeID)
        }
        let key = outputNode.map(ContextKeys.output(of:))
        let value: JSONValue = key.map { state.context[$0] ?? .null } ?? .object(state.context)
        do {
            return try JSONValueDecoder().decode(Output.self, from: value)
        } catch {
            throw TypedRunError.undecodableOutput(
                runID: runID, key: key ?? "(context)", type: String(describing: Output.self), message: "\(error)")
        }
    }
}

/// Why a ``TypedRunHandle`` has no result.
public enum TypedRunError: Error, Sendable, Hashable, CustomStringConvertible {
    /// No run with this id is known to the engine.
    case unknownRun(runID: String)
    /// The run is paused on a `wait` node: resume it, then ask for the result again.
    case awaiting(runID: String)
    /// The run has not finished within the time allowed.
    case notFinished(runID: String)
    /// The run failed or was cancelled.
    case unsuccessful(runID: String, status: WorkflowRunState.Status, reason: String?, nodeID: String?)
    /// The run completed but its result does not decode as the declared output type.
    case undecodableOutput(runID: String, key: String, type: String, message: String)

    public var description: String {
        switch self {
        case .unknownRun(let runID): return "unknown run '\(runID)'"
        case .awaiting(let runID): return "run '\(runID)' is awaiting a resume of its wait node"
        case .notFinished(let runID): return "run '\(runID)' has not finished"
        case .unsuccessful(let runID, let status, let reason, let nodeID):
            let node = nodeID.map { " at node '\($0)'" } ?? ""
            return "run '\(runID)' \(status.rawValue)\(node)" + (reason.map { ": \($0)" } ?? "")
        case .undecodableOutput(let runID, let key, let type, let message):
            return "run '\(runID)': '\(key)' does not decode as \(type): \(message)"
        }
    }
}

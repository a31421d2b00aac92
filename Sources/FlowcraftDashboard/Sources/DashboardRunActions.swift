/// The run actions the dashboard offers (``RedisDashboardActions`` for the distributed engine).
/// Each throws when the engine refuses (the message is shown to the user).
public protocol DashboardRunActions: Sendable {
    /// Cancels an active run.
    func cancel(runID: String) async throws
    /// Resumes a run waiting on `nodeID` (nil: its first waiting node) with one of the actions the
    /// node's edges route (nil for none).
    func resume(runID: String, nodeID: String?, action: String?) async throws
    /// Continues a failed run from the nodes that failed, keeping every successful output.
    func redrive(runID: String) async throws
}

/// The engine refuses an action for this run (the dashboard answers 409 with the message).
public struct DashboardActionRefused: Error, Sendable, CustomStringConvertible {
    public var description: String

    /// A refusal, with the reason shown to the user.
    public init(_ description: String) {
        self.description = description
    }
}

/// Why an action cannot run at all (as opposed to the engine refusing it for this run).
public struct DashboardActionUnavailable: Error, Sendable, CustomStringConvertible {
    public var description: String

    /// An action that is not available, with the reason shown to the user.
    public init(_ description: String) {
        self.description = description
    }
}

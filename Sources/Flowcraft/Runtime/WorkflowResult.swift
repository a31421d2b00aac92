/// How a run ended (or paused).
public enum WorkflowStatus: String, Sendable, Hashable, Codable {
    /// Every path finished.
    case completed
    /// A node failed with no fallback (see ``WorkflowResult/errors``).
    case failed
    /// Paused on `sleep`, `wait` or a nested subflow; resume it with `FlowRuntime.resume` or `wake`.
    case awaiting
    /// The run was cancelled.
    case cancelled
}

/// A node failure that failed the run: which node, where it is declared, and why.
public struct WorkflowError: Error, Sendable, Hashable, Codable, CustomStringConvertible {
    /// The blueprint of the failed run.
    public var blueprintID: String
    /// The node that failed, if a node did.
    public var nodeID: String?
    /// The YAML position of the node (`NodeDefinition.location`).
    public var location: SourceLocation?
    /// Why it failed.
    public var message: String
    /// Attempts made before giving up (0 when the node never ran).
    public var attempts: Int
    /// A `FatalNodeError` (no retries, no fallback).
    public var isFatal: Bool

    /// An error; engines build them.
    public init(
        blueprintID: String, nodeID: String?, location: SourceLocation?, message: String,
        attempts: Int = 0, isFatal: Bool = false
    ) {
        self.blueprintID = blueprintID
        self.nodeID = nodeID
        self.location = location
        self.message = message
        self.attempts = attempts
        self.isFatal = isFatal
    }

    /// `file:line:col: error: node 'id' in blueprint 'b': message`
    public var description: String {
        let prefix = location.map { "\($0): error: " } ?? "error: "
        let node = nodeID.map { "node '\($0)' in " } ?? ""
        return "\(prefix)\(node)blueprint '\(blueprintID)': \(message)"
    }
}

/// A paused node, as reported to callers.
public struct AwaitingNode: Sendable, Hashable, Codable {
    /// The paused node's id.
    public var nodeID: String
    /// Why it is paused.
    public var reason: AwaitReason

    /// A paused node.
    public init(nodeID: String, reason: AwaitReason) {
        self.nodeID = nodeID
        self.reason = reason
    }

    /// For sleeps: when the node is due (ms since the Unix epoch on the runtime's clock).
    public var wakeAt: Int64? {
        if case .sleep(let at) = reason { return at }
        return nil
    }
}

/// Everything needed to continue a paused (or redrive a failed) run in another process: the
/// scheduler state, the context, and the paused child runs of subflow nodes.
public struct RunSnapshot: Sendable, Codable {
    /// The run's id.
    public var runID: String
    /// The run's blueprint.
    public var blueprintID: String
    package var scheduler: RunScheduler
    /// The run's context, internal keys included.
    public var context: [String: JSONValue]
    /// Paused child runs, keyed by the subflow node id.
    public var children: [String: RunSnapshot]
    /// The depth of this run in a subflow tree (0 for a top-level run).
    public var depth: Int
    /// For a failed run: what `FlowRuntime.redrive` runs again (`nil` for other runs, and for
    /// snapshots encoded before redrive existed).
    package var redrive: RedriveState? = nil
    /// Where the run's history stands (when the runtime records history).
    package var history: RunHistoryPosition? = nil
}

/// The outcome of `FlowRuntime.run` / `resume`.
public struct WorkflowResult: Sendable, Codable {
    /// The run's id.
    public var runID: String
    /// The run's blueprint.
    public var blueprintID: String
    /// How the run ended, or `awaiting`.
    public var status: WorkflowStatus
    /// The final (or current, when awaiting) context, without the engine's bookkeeping (keys under
    /// ``ContextKeys/reservedPrefix``; `snapshot` keeps them).
    public var context: [String: JSONValue]
    /// The failures that failed the run (empty unless `failed`).
    public var errors: [WorkflowError]
    /// Paused nodes when `status == .awaiting`.
    public var awaiting: [AwaitingNode]
    /// State to resume from when `status == .awaiting`, or to redrive from when `status == .failed`
    /// (`FlowRuntime.redrive`); `nil` for completed and cancelled runs. Encode the whole result to
    /// persist it.
    public var snapshot: RunSnapshot?

    /// A result as an engine reports it; the in-memory runtime also fills `snapshot` for paused and
    /// failed runs.
    public init(
        runID: String, blueprintID: String, status: WorkflowStatus, context: [String: JSONValue],
        errors: [WorkflowError] = [], awaiting: [AwaitingNode] = [], snapshot: RunSnapshot? = nil
    ) {
        self.runID = runID
        self.blueprintID = blueprintID
        self.status = status
        self.context = context
        self.errors = errors
        self.awaiting = awaiting
        self.snapshot = snapshot
    }

    /// The earliest wake-up time of a paused sleep, in this run or a nested subflow.
    public var nextWakeAt: Int64? { snapshot.flatMap(FlowRuntime.earliestWake) }
}

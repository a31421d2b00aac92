/// Something that happened during a run. Types and payload members follow Flowcraft's events
/// (`workflow:start`, `node:finish`, …) so tooling written for the original reads them.
public struct WorkflowEvent: Sendable, Hashable, Codable {
    /// What happened.
    public var type: WorkflowEventType
    /// Flowcraft's `executionId`.
    public var runID: String
    /// The run's blueprint id.
    public var blueprintID: String
    /// The node concerned, for `node:*`, `context:change` (the writer) and `batch:*` events.
    public var nodeID: String?
    /// Type-specific members, e.g. `attempt`, `delayMs`, `error`, `output`, `action`, `key`, `value`.
    public var payload: [String: JSONValue]

    /// An event of `type` in run `runID`.
    public init(
        type: WorkflowEventType, runID: String, blueprintID: String, nodeID: String? = nil,
        payload: [String: JSONValue] = [:]
    ) {
        self.type = type
        self.runID = runID
        self.blueprintID = blueprintID
        self.nodeID = nodeID
        self.payload = payload
    }

    /// The event as one JSON object: `{type, runId, blueprintId, nodeId?, …payload}`.
    public var jsonValue: JSONValue {
        var object = payload
        object["type"] = .string(type.rawValue)
        object["runId"] = .string(runID)
        object["blueprintId"] = .string(blueprintID)
        if let nodeID { object["nodeId"] = .string(nodeID) }
        return .object(object)
    }
}

/// Every event type the in-memory engine emits (the distributed engine adds `job:processed` and
/// `job:failed`; it emits no `node:skipped`, `edge:evaluate` or `workflow:stall`).
public enum WorkflowEventType: String, Sendable, Hashable, Codable, CaseIterable {
    /// A run started.
    case workflowStart = "workflow:start"
    /// A paused run was resumed.
    case workflowResume = "workflow:resume"
    /// The run paused: nodes are awaiting (`sleep`, `wait`, nested subflow).
    case workflowPause = "workflow:pause"
    /// The run finished with join nodes still waiting for predecessors that never came.
    case workflowStall = "workflow:stall"
    /// The run finished (`status` in the payload: completed, failed or cancelled).
    case workflowFinish = "workflow:finish"
    /// A node's first attempt is starting.
    case nodeStart = "node:start"
    /// A node finished (`output`, `action` in the payload).
    case nodeFinish = "node:finish"
    /// One attempt failed (`error`, `attempt`, and `willRetry`: whether another follows); also a
    /// node's failure no attempt made — a built-in's (loop cap, failed subflow child), a missing
    /// implementation's, a size limit's — with `attempt` 1 and `willRetry` false. Every failed
    /// execution has at least one, in both engines.
    case nodeError = "node:error"
    /// The next attempt (`attempt`) starts after `delayMs`: the attempt loop's backoff, or in the
    /// distributed engine's queue retry mode the job's BullMQ backoff (announced by the worker whose
    /// attempt failed; the next attempt may run on another worker).
    case nodeRetry = "node:retry"
    /// A node failed every attempt and its `fallback` takes over.
    case nodeFallback = "node:fallback"
    /// The node will not run in this round: every path to it is dead.
    case nodeSkipped = "node:skipped"
    /// An edge's condition was evaluated (`taken` in the payload).
    case edgeEvaluate = "edge:evaluate"
    /// A node wrote a context key (`key`, `value`).
    case contextChange = "context:change"
    /// A `batch-scatter` started its workers.
    case batchStart = "batch:start"
    /// A batch's gather collected every worker's output.
    case batchFinish = "batch:finish"
    /// A node job was added to the queue (distributed engine).
    case jobEnqueued = "job:enqueued"
    /// A worker finished a node job (distributed engine).
    case jobProcessed = "job:processed"
    /// A node job failed in the queue (distributed engine).
    case jobFailed = "job:failed"
}

/// Receives events synchronously, in order for each run. Keep it fast (hand off heavy work).
public typealias WorkflowEventHandler = @Sendable (WorkflowEvent) -> Void

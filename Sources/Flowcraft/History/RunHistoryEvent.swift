import FlowcraftModel

/// One entry of a run's history, in the order the engine recorded it. Both engines record the same
/// events for the same run (the scenarios check it); `sequence` numbers them from 1 within a run.
public struct RunHistoryEvent: Sendable, Hashable, Codable {
    /// 1, 2, 3… within the run (`flowcraft replay RUN --until N` counts these).
    public var sequence: Int
    /// Milliseconds since the Unix epoch.
    public var time: Int64
    /// What happened.
    public var kind: Kind

    /// An event numbered `sequence` at `time`.
    public init(sequence: Int, time: Int64, kind: Kind) {
        self.sequence = sequence
        self.time = time
        self.kind = kind
    }

    /// The kinds of history event.
    public enum Kind: Sendable, Hashable, Codable {
        /// The run started with this context (internal keys left out).
        case runStarted(RunStart)
        /// A node execution ended: completed (possibly through its fallback), or failed.
        case nodeFinished(NodeExecution)
        /// The run paused; these nodes wait (sleep, wait, nested subflow).
        case paused(nodes: [String])
        /// A waiting node was resumed with this action (`nil` for a sleep that woke up).
        case resumed(nodeID: String, action: String?)
        /// A failed run was redriven: these nodes run again; every other output is kept.
        case redriven(nodes: [String])
        /// The run ended.
        case runEnded(RunEnd)
    }

    /// How a run started.
    public struct RunStart: Sendable, Hashable, Codable {
        /// The blueprint the run runs.
        public var blueprintID: String
        /// Its version, when it declares one.
        public var blueprintVersion: String?
        /// The parent run, for a subflow's child run.
        public var parentRunID: String?
        /// The parent's subflow node, for a child run.
        public var parentNodeID: String?
        /// The initial context (internal keys left out).
        public var context: [String: JSONValue]

        /// A run start.
        public init(
            blueprintID: String, blueprintVersion: String? = nil, parentRunID: String? = nil,
            parentNodeID: String? = nil, context: [String: JSONValue]
        ) {
            self.blueprintID = blueprintID
            self.blueprintVersion = blueprintVersion
            self.parentRunID = parentRunID
            self.parentNodeID = parentNodeID
            self.context = context
        }
    }

    /// How a run ended.
    public struct RunEnd: Sendable, Hashable, Codable {
        /// The final status.
        public var status: RunHistoryStatus
        /// The node that failed the run, if it failed.
        public var failedNodeID: String?
        /// Why the run failed or was cancelled.
        public var error: String?
        /// Where the failed node is declared.
        public var errorLocation: SourceLocation?

        /// A run end.
        public init(
            status: RunHistoryStatus, failedNodeID: String? = nil, error: String? = nil,
            errorLocation: SourceLocation? = nil
        ) {
            self.status = status
            self.failedNodeID = failedNodeID
            self.error = error
            self.errorLocation = errorLocation
        }
    }

    /// One execution of a node (one loop iteration, one batch item's worker node, one subflow call).
    public struct NodeExecution: Sendable, Hashable, Codable {
        /// The node's id.
        public var nodeID: String
        /// The loop iteration (0 outside loops).
        public var iteration: Int
        /// How the execution ended.
        public var status: NodeExecutionStatus
        /// Every attempt, first to last (one for a node that succeeded at once).
        public var attempts: [Attempt]
        /// The action the node returned (the one routing used), if any.
        public var action: String?
        /// The fallback node that ran after the node failed, if any.
        public var fallbackNodeID: String?
        /// Bytes of the node's JSON output (0 for none).
        public var outputBytes: Int
        /// The context keys the node wrote and their values (internal keys left out), so that
        /// `replay` can rebuild the context without running anything.
        public var writes: [String: JSONValue]
        /// The child run, for a subflow node.
        public var childRunID: String?
        /// For a failed execution: why, and where the node is declared.
        public var error: String?
        /// Where the failed node is declared.
        public var errorLocation: SourceLocation?

        /// A node execution.
        public init(
            nodeID: String, iteration: Int = 0, status: NodeExecutionStatus, attempts: [Attempt],
            action: String? = nil, fallbackNodeID: String? = nil, outputBytes: Int = 0,
            writes: [String: JSONValue] = [:], childRunID: String? = nil, error: String? = nil,
            errorLocation: SourceLocation? = nil
        ) {
            self.nodeID = nodeID
            self.iteration = iteration
            self.status = status
            self.attempts = attempts
            self.action = action
            self.fallbackNodeID = fallbackNodeID
            self.outputBytes = outputBytes
            self.writes = writes
            self.childRunID = childRunID
            self.error = error
            self.errorLocation = errorLocation
        }

        /// Start of the first attempt (ms since the Unix epoch).
        public var startedAt: Int64? { attempts.first?.startedAt }
        /// End of the last attempt (ms since the Unix epoch).
        public var endedAt: Int64? { attempts.last?.endedAt }
        /// From the start of the first attempt to the end of the last, in milliseconds.
        public var durationMs: Int64? {
            guard let start = startedAt, let end = endedAt else { return nil }
            return end - start
        }
    }

    /// How a node execution ended.
    public enum NodeExecutionStatus: String, Sendable, Hashable, Codable {
        /// Completed (possibly after retries).
        case completed
        /// Failed, and its fallback ran in its place.
        case recovered
        /// Failed, with no fallback to take over.
        case failed
    }

    /// One attempt of a node: when it ran, and its error if it failed.
    public struct Attempt: Sendable, Hashable, Codable {
        /// Start of the attempt (ms since the Unix epoch).
        public var startedAt: Int64
        /// End of the attempt (ms since the Unix epoch).
        public var endedAt: Int64
        /// The attempt's error, if it failed.
        public var error: String?

        /// An attempt from `startedAt` to `endedAt`.
        public init(startedAt: Int64, endedAt: Int64, error: String? = nil) {
            self.startedAt = startedAt
            self.endedAt = endedAt
            self.error = error
        }
    }
}

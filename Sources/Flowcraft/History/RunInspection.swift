import FlowcraftModel

/// Everything `flowcraft inspect RUN` shows, derived from a ``RunHistoryReader``: the summary, a node
/// timeline, pauses and resumes, the final context (internal keys hidden) and the child runs of
/// subflow nodes, nested.
public struct RunInspection: Sendable, Hashable, Codable {
    /// The run's summary (status, times, failed node and error).
    public var summary: RunSummary
    /// Node executions in the order they ended.
    public var timeline: [NodeEntry]
    /// Pauses and resumes, in order.
    public var pauses: [PauseEntry]
    /// The context rebuilt from the history (start context, then every node's writes).
    public var context: [String: JSONValue]
    /// Whether the history still holds the run's first event (the per-run cap drops the oldest).
    public var historyComplete: Bool
    /// Child runs (subflows), each inspected in turn.
    public var children: [RunInspection]

    /// One node execution on the timeline.
    public struct NodeEntry: Sendable, Hashable, Codable {
        /// The event number of this execution.
        public var sequence: Int
        /// The node that ran.
        public var nodeID: String
        /// The loop iteration (0 outside loops).
        public var iteration: Int
        /// How the execution ended.
        public var status: RunHistoryEvent.NodeExecutionStatus
        /// Milliseconds from the run's start to the node's first attempt.
        public var startOffsetMs: Int64?
        /// From the first attempt's start to the last attempt's end (ms).
        public var durationMs: Int64?
        /// Every attempt, first to last.
        public var attempts: Int
        /// Every attempt's error, first to last (`nil` for one that succeeded).
        public var attemptErrors: [String?]
        /// The action the node returned, if any.
        public var action: String?
        /// The fallback that took over, if any.
        public var fallbackNodeID: String?
        /// The child run of a subflow node.
        public var childRunID: String?
        /// Why the execution failed, with the node's YAML position when known.
        public var error: String?
        /// `file:line:column` of the node in its blueprint, for a failed execution.
        public var errorLocation: String?
    }

    /// A pause or a resume.
    public struct PauseEntry: Sendable, Hashable, Codable {
        /// Whether the run paused or was resumed.
        public enum Kind: String, Sendable, Hashable, Codable {
            /// The run paused on nodes.
            case paused
            /// A paused node was resumed.
            case resumed
        }
        /// The event number.
        public var sequence: Int
        /// Paused or resumed.
        public var kind: Kind
        /// Milliseconds from the run's start.
        public var offsetMs: Int64
        /// The waiting nodes (paused) or the resumed node.
        public var nodes: [String]
        /// The action a resume routed by.
        public var action: String?
    }

    /// Derives the inspection of one run from its summary and events (children given by the caller).
    public init(summary: RunSummary, events: [RunHistoryEvent], children: [RunInspection] = []) {
        self.summary = summary
        self.children = children
        let start = summary.startedAt
        timeline = []
        pauses = []
        // A node the run paused on (a `sleep`, a `wait`, a subflow whose child waits) is recorded when
        // it finishes, its execution ending then: its entry spans from the first pause that named it.
        var parkedSince: [String: Int64] = [:]
        for event in events {
            switch event.kind {
            case .nodeFinished(let e):
                var startedAt = e.startedAt
                if let parked = parkedSince.removeValue(forKey: e.nodeID), let began = startedAt, parked < began {
                    startedAt = parked
                }
                timeline.append(NodeEntry(
                    sequence: event.sequence, nodeID: e.nodeID, iteration: e.iteration, status: e.status,
                    startOffsetMs: startedAt.map { $0 - start },
                    durationMs: startedAt.flatMap { began in e.endedAt.map { $0 - began } },
                    attempts: max(1, e.attempts.count), attemptErrors: e.attempts.map(\.error), action: e.action,
                    fallbackNodeID: e.fallbackNodeID, childRunID: e.childRunID, error: e.error,
                    errorLocation: e.errorLocation?.description))
            case .paused(let nodes):
                for node in nodes where parkedSince[node] == nil { parkedSince[node] = event.time }
                pauses.append(PauseEntry(
                    sequence: event.sequence, kind: .paused, offsetMs: event.time - start, nodes: nodes, action: nil))
            case .resumed(let nodeID, let action):
                pauses.append(PauseEntry(
                    sequence: event.sequence, kind: .resumed, offsetMs: event.time - start, nodes: [nodeID],
                    action: action))
            case .runStarted, .redriven, .runEnded:
                break
            }
        }
        let replay = try? RunReplay(events: events)
        context = replay?.context ?? [:]
        historyComplete = replay?.complete ?? false
    }

    /// The child runs named by the run's subflow executions, in timeline order, without repeats.
    public var childRunIDs: [String] {
        var seen: Set<String> = []
        return timeline.compactMap(\.childRunID).filter { seen.insert($0).inserted }
    }

    /// Reads run `runID` and its child runs (down to `maximumDepth` levels) from `reader` — those its
    /// subflow executions name, and those of the subflow nodes it waits on — ; `nil` when the history
    /// has no such run. Children the history no longer has are left out.
    public static func load(
        _ runID: String, from reader: any RunHistoryReader, maximumDepth: Int = 8
    ) async throws -> RunInspection? {
        guard let summary = try await reader.run(runID) else { return nil }
        let events = try await reader.events(of: runID)
        var inspection = RunInspection(summary: summary, events: events)
        guard maximumDepth > 0 else { return inspection }
        var children: [RunInspection] = []
        var childIDs = inspection.childRunIDs
        // A subflow node the run waits on has no execution yet: its child run (waiting too) is found
        // by the name both engines give it (``SubflowRunID``), in the run's latest loop round.
        let waiting = RunGraphStates.waitingNodes(summary: summary, events: events)
        if !waiting.isEmpty {
            let latest = inspection.timeline.map(\.iteration).max() ?? 0
            let rounds = Set([0, latest, latest &+ 1]).sorted()
            for node in waiting {
                for round in rounds {
                    let id = SubflowRunID.child(of: runID, nodeID: node, iteration: round)
                    if !childIDs.contains(id), try await reader.run(id) != nil { childIDs.append(id) }
                }
            }
        }
        for child in childIDs {
            if let loaded = try await load(child, from: reader, maximumDepth: maximumDepth - 1) { children.append(loaded) }
        }
        inspection.children = children
        return inspection
    }
}

/// The Redis keys of distributed runs (ARCHITECTURE.md, "Typed records").
///
/// The state hash and the final status use the seed's names (`workflow:state:<runId>`,
/// `workflow:status:<runId>`) so clients written against the original read and write them; every key
/// this engine adds for coordination lives under `flowcraft:`.
///
/// The original adapter's other coordination keys have no separate key here because one script
/// covers their role: `fanin:poison` (a failed predecessor ends the whole run: the `failed` status
/// and `finishRun`), `fanin:cancel` (`cancelled` in the run hash, checked by every job and every
/// commit), `blueprint` (the run hash's `blueprintId`/`blueprintVersion`), `nodelock` (the pending
/// set — removing the entry *is* the commit — plus BullMQ's job lock).
struct DistributedKeys: Sendable, Hashable {
    /// The sorted set of a queue's runs with work in flight, scored by last activity (ms): the
    /// reconciler's index. One per queue, so a reconciler only touches the runs its workers serve.
    static func activeRuns(queue: String) -> String { activeRunsPrefix + queue }
    static let activeRunsPrefix = "flowcraft:runs:active:"

    /// The run-history indexes of a queue's runs (``RedisRunHistory``), all scored by start time (ms):
    /// every run, the finished runs of one status, and the runs of one blueprint.
    static func historyStarted(queue: String) -> String { "\(historyIndexPrefix)started:\(queue)" }
    static func historyStatus(queue: String, status: String) -> String { "\(historyIndexPrefix)status:\(queue):\(status)" }
    static func historyBlueprint(queue: String, blueprintID: String) -> String {
        "\(historyIndexPrefix)blueprint:\(queue):\(blueprintID)"
    }
    /// The start of the history index keys (and of their trim markers, `…trim:<queue>[:<blueprint>]`).
    static let historyIndexPrefix = "flowcraft:runs:"

    let runID: String

    init(runID: String) { self.runID = runID }

    /// The run's context: one field per key, JSON-encoded values.
    var state: String { Self.statePrefix + runID }
    /// The start of every state key (the Lua scripts read the run id after it).
    static let statePrefix = "workflow:state:"
    /// The final `{status, payload?, reason?}` JSON, written once when the run ends.
    var status: String { "workflow:status:\(runID)" }
    /// Run bookkeeping: status, blueprint id and version, timestamps, and for the
    /// child run of a subflow node its `parent` link (``SubflowParentLink``).
    var run: String { Self.runPrefix + runID }
    /// The run hash's prefix (the completion script builds a child's parent's key from it).
    static let runPrefix = "flowcraft:run:"
    /// `node#iteration` of every committed completion: what makes a redelivered job commit nothing.
    var done: String { "flowcraft:done:\(runID)" }
    /// `node#iteration` of every enqueued job not yet committed: the run ends when this empties.
    var pending: String { "flowcraft:pending:\(runID)" }
    /// Pending entries parked by a `wait` node until `resume`.
    var awaiting: String { "flowcraft:awaiting:\(runID)" }
    /// `join#iteration<predecessor` members: the set of predecessors (live or skipped) that arrived.
    var fanIn: String { "flowcraft:fanin:\(runID)" }
    /// Per join: one counter (arrivals + 2^20 × live arrivals) and the fired flag of `any` joins.
    var joinLock: String { "flowcraft:joinlock:\(runID)" }

    /// The run's history: a capped list of encoded events (``RedisHistoryEntry``), oldest first.
    var history: String { Self.historyPrefix + runID }
    static let historyPrefix = "flowcraft:history:"
    /// In queue retry mode, the failed attempts of nodes that BullMQ retries (`node#iteration|n` →
    /// ``RedisHistoryEntry`` attempt JSON), read by the node's last attempt.
    var historyAttempts: String { Self.historyAttemptsPrefix + runID }
    static let historyAttemptsPrefix = "flowcraft:history-attempts:"
    /// A run failed by a node parks its pending entries here (a pending set means a live run to every
    /// job) until ``WorkflowClient/redrive(_:)`` puts them back; they expire with the state TTL.
    var parkedPending: String { Self.parkedPendingPrefix + runID }
    /// A failed run's awaiting entries, parked like ``parkedPending``.
    var parkedAwaiting: String { Self.parkedAwaitingPrefix + runID }
    static let parkedPendingPrefix = "flowcraft:redrive:pending:"
    static let parkedAwaitingPrefix = "flowcraft:redrive:awaiting:"

    /// The keys the completion script takes, in its KEYS order (it names the queue's keys from the prefix).
    func scriptKeys(queue: String) -> [String] {
        [state, run, done, pending, awaiting, fanIn, joinLock, Self.activeRuns(queue: queue), status]
    }

    /// Every key a finished run leaves behind, for expiry.
    var coordinationKeys: [String] { [run, done, pending, awaiting, fanIn, joinLock, parkedPending, parkedAwaiting] }
}

/// A pending/done entry: a node and its loop iteration.
struct NodeInstance: Sendable, Hashable, CustomStringConvertible {
    var nodeID: String
    var iteration: Int

    init(_ nodeID: String, iteration: Int = 0) {
        self.nodeID = nodeID
        self.iteration = iteration
    }

    /// `node#iteration`, the member stored in the done/pending sets.
    var description: String { "\(nodeID)#\(iteration)" }

    /// Parses `node#iteration` (the node id may itself contain `#`: the last one separates).
    init?(member: String) {
        guard let hash = member.lastIndex(of: "#"), let iteration = Int(member[member.index(after: hash)...]) else {
            return nil
        }
        self.init(String(member[..<hash]), iteration: iteration)
    }
}

import Flowcraft
import FlowcraftModel

/// The attempts of one node job as its attempt loop reports them (`node:error`, `node:retry`), with
/// their times: what the node's history record lists.
final class HistoryAttemptLog: Sendable {
    private struct State {
        var attempts: [RunHistoryEvent.Attempt] = []
        var nextStart: Int64
    }

    private let state: PthreadMutex<State>

    init(startedAt: Int64) { state = PthreadMutex(State(nextStart: startedAt)) }

    /// An emitter for the attempt loop that logs attempts and passes every event on to `forwarding`.
    func emitter(forwarding: EventEmitter?, runID: String, blueprintID: String) -> EventEmitter? {
        EventEmitter(handler: { [self] event in
            record(event)
            forwarding?.handler(event)
        }, runID: runID, blueprintID: blueprintID)
    }

    private func record(_ event: WorkflowEvent) {
        let now = Int64(QueueClock.nowMilliseconds())
        switch event.type {
        case .nodeError:
            state.withLock { s in
                s.attempts.append(RunHistoryEvent.Attempt(
                    startedAt: s.nextStart, endedAt: now, error: event.payload["error"]?.stringValue))
                s.nextStart = now
            }
        case .nodeRetry:
            let delay = Int64(event.payload["delayMs"]?.intValue ?? 0)
            state.withLock { $0.nextStart = now + delay }
        default:
            break
        }
    }

    /// The attempts so far, closed by a last one ending now (successful when `error` is nil) unless
    /// the loop already reported the failure that ended the node.
    func attempts(endingWith error: String?) -> [RunHistoryEvent.Attempt] {
        let now = Int64(QueueClock.nowMilliseconds())
        return state.withLock { s in
            if error != nil, !s.attempts.isEmpty, s.attempts.last?.endedAt ?? 0 >= s.nextStart { return s.attempts }
            return s.attempts + [RunHistoryEvent.Attempt(startedAt: s.nextStart, endedAt: now, error: error)]
        }
    }
}

extension NodeJobExecutor {
    /// The node's history record for `change` (appended to it when the history is on): how the node
    /// ended, every attempt (in queue retry mode the earlier jobs' attempts too, read once), its
    /// action, the context keys it wrote and, for a failure, the error and the node's YAML position.
    /// A run started by a client that only seeds its state and enqueues its start jobs (a BullMQ
    /// client; no run hash yet): this commit creates it — its pending set and, with history on, its
    /// start event with the seeded context ahead of the node's record (the script lists it in the
    /// history indexes). Found by review: such runs were missing from `runs` and their history said
    /// its start had been dropped by the cap.
    func adoptClientStartedRun(_ run: RunContext, into change: inout RunCommitter.Change) async {
        guard !run.runExists else { return }
        change.starts = run.prepared.startEntries
        guard options.history.isOn, !change.history.contains(where: { $0.contains(#""k":"start""#) }) else { return }
        var context: [String: JSONValue] = [:]
        if let fields = try? await client.send(["HGETALL", DistributedKeys(runID: run.data.runID).state]).array {
            var i = 0
            while i + 1 < fields.count {
                if let key = fields[i].string, let text = fields[i + 1].string, key != "blueprintVersion", !ContextKeys.isInternal(key) {
                    context[key] = StateValueCoding.decode(text)
                }
                i += 2
            }
        }
        let start = RunHistoryEvent.RunStart(
            blueprintID: run.prepared.compiled.id, blueprintVersion: run.version, parentRunID: nil, parentNodeID: nil,
            context: context)
        change.history.insert(RedisHistoryEntry.encode(.runStarted(start), time: Int64(QueueClock.nowMilliseconds())), at: 0)
    }

    /// Prepares `run` to record its node's attempts (history on): every node job that runs an
    /// implementation — a blueprint node, a batch worker, a dynamic node — calls it before its attempts.
    func startHistory(_ run: inout RunContext, job: Job) {
        guard options.history.isOn else { return }
        run.attemptLog = HistoryAttemptLog(startedAt: run.startedAt)
        if options.retryMode == .queue { run.earlierAttempts = job.attemptsMade }
    }

    /// `events`, with the attempts' `node:error` events noted for the history when `run` records them.
    func attemptEvents(_ run: RunContext, forwarding events: EventEmitter?) -> EventEmitter? {
        run.attemptLog?.emitter(forwarding: events, runID: run.data.runID, blueprintID: run.prepared.compiled.id) ?? events
    }

    func recordHistory(
        _ run: RunContext, into change: inout RunCommitter.Change, status: RunHistoryEvent.NodeExecutionStatus,
        result: NodeResult? = nil, error: String? = nil, fallbackNodeID: String? = nil
    ) async {
        guard options.history.isOn else { return }
        var attempts = run.attemptLog?.attempts(endingWith: error)
            ?? [RunHistoryEvent.Attempt(startedAt: run.startedAt, endedAt: Int64(QueueClock.nowMilliseconds()), error: error)]
        if run.earlierAttempts > 0 {
            attempts = await earlierAttempts(run) + attempts
        }
        var writes: [String: JSONValue] = [:]
        for (key, value) in change.values where !ContextKeys.isInternal(key) { writes[key] = value }
        let plan = run.prepared.compiled
        let n = plan.nodeIndex[run.data.nodeID]
        let isSubflow = n.map { plan.builtins[$0] == .subflow } ?? false
        let execution = RunHistoryEvent.NodeExecution(
            nodeID: run.data.nodeID, iteration: run.data.iteration, status: status, attempts: attempts,
            action: result?.action, fallbackNodeID: fallbackNodeID,
            outputBytes: result.map { $0.output.isNull ? 0 : JSONText.serialize($0.output).utf8.count } ?? 0,
            writes: writes,
            childRunID: isSubflow ? SubflowParentLink.childRunID(parent: run.data.runID, node: run.data.instance) : nil,
            error: error, errorLocation: error == nil ? nil : n.flatMap { plan.nodes[$0].location })
        change.history.append(
            RedisHistoryEntry.encode(.nodeFinished(execution), time: Int64(QueueClock.nowMilliseconds())))
    }

    /// In queue retry mode: logs a failed attempt that BullMQ will retry, read by the node's last
    /// attempt (only failing jobs pay this write).
    func recordRetriedAttempt(_ data: NodeJobData, attempt: Int, startedAt: Int64, error: String) async {
        guard options.history.isOn else { return }
        let entry = JSONText.serialize(RedisHistoryEntry.encode(RunHistoryEvent.Attempt(
            startedAt: startedAt, endedAt: Int64(QueueClock.nowMilliseconds()), error: error)))
        let key = DistributedKeys(runID: data.runID).historyAttempts
        _ = try? await client.execute(HSET(key: key, fields: [("\(data.instance)|\(attempt)", entry)]))
    }

    /// The attempts earlier jobs of this node made (queue retry mode), oldest first.
    private func earlierAttempts(_ run: RunContext) async -> [RunHistoryEvent.Attempt] {
        let fields = (1...run.earlierAttempts).map { "\(run.data.instance)|\($0)" }
        let key = DistributedKeys(runID: run.data.runID).historyAttempts
        guard let items = try? await client.execute(HMGET(key: key, fields: fields)) else { return [] }
        return items.compactMap { item in
            item.flatMap { try? JSONText.parse($0) }.flatMap(RedisHistoryEntry.decodeAttempt)
        }
    }
}

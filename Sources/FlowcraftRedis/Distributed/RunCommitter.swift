import Flowcraft
import FlowcraftModel

/// Calls ``NodeCompletionScript`` for one run, or hands it to the worker as a ``FinishStep``: the only
/// ways run progress is written.
struct RunCommitter: Sendable {
    typealias Mode = NodeCompletionScript.Call.Mode

    /// What the script did.
    struct Outcome: Sendable, Hashable {
        /// What the script did with the change.
        enum Commit: String, Sendable, Hashable {
            /// Applied.
            case committed
            /// The entry was already committed (a redelivered job): nothing changed.
            case duplicate
            /// The run had already ended: nothing changed.
            case finished
            /// The entry is not pending: nothing changed.
            case unscheduled
            /// A start of a run that exists: nothing changed.
            case exists
            /// A `cancel-child` of a child run whose parent runs (again): nothing changed.
            case parentRunning = "parent-running"
            /// A change of a run whose keys are gone (a redrive deleted a subflow's old child, or they
            /// expired) and that does not start it: nothing changed, nothing created (the status in
            /// the reply is `cancelled`: the run is no more).
            case gone
        }

        var commit: Commit
        /// The run's status afterwards.
        var status: DistributedRunStatus.Status
        var enqueued: Int
        /// `node#iteration` entries that died (dead-path elimination), for `node:skipped`.
        var died: [String] = []
        /// Joins left waiting with a live arrival when the run completed, for `workflow:stall`.
        var stalled: [String] = []
        /// The awaiting `node#iteration` entries when a completion left the run awaiting, for
        /// `workflow:pause`.
        var parked: [String] = []
        /// The run-context limit's message when the change failed the run over it (the node fails:
        /// its `node:error`, as in memory).
        var limitFailure: String?

        /// ``commit`` as the script answers it (for logs and a job's `returnvalue`).
        var code: String { commit.rawValue }
        /// ``status`` as the run hash stores it.
        var runStatus: String { status.rawValue }
    }

    /// One call's content.
    struct Change: Sendable {
        var mode: Mode
        var instance: String = ""
        var values: [(String, JSONValue)] = []
        var deleted: [String] = []
        var starts: [String] = []
        var records: [ArrivalRecord] = []
        var reason: String = ""
        var attempts: Int = 0
        /// Node events (`node:finish`, `node:fallback`, `batch:*`) emitted once this change commits,
        /// after its `context:change` events.
        var events: [CommitEvent] = []
        /// The node's own state writes in the order it made them, so `context:change` events follow
        /// that order (the values above are sorted).
        var writeOrder: [String] = []
        /// The node that `context:change` events name, when it is not the committed entry's node
        /// (a dynamic node's entry is `<spawner>~dynamic~<id>#i`).
        var eventNodeID: String?
        /// Run-history entries (``RedisHistoryEntry``) the script appends when the change commits
        /// (left empty when the history is off).
        var history: [String] = []

        /// The start of run `runID` of `prepared` with `context`: the state, the bookkeeping and the
        /// start nodes' jobs. A child run passes its parent link (stored in its run hash).
        static func start(
            _ prepared: DistributedBlueprint, runID: String, version: String?, context: [String: JSONValue],
            parent: SubflowParentLink? = nil, options: DistributedOptions
        ) -> Change {
            let planner = CompletionPlanner(prepared: prepared, runID: runID, options: options)
            var change = Change(mode: .start)
            change.values = context.sorted { $0.key < $1.key }.map { ($0.key, $0.value) }
            if let version { change.values.append(("blueprintVersion", .string(version))) }
            change.starts = prepared.startEntries
            change.records = planner.startRecords()
            // In `start` mode the script reads the reason argument as the parent link.
            change.reason = parent?.json ?? ""
            if options.history.isOn {
                let start = RunHistoryEvent.RunStart(
                    blueprintID: prepared.compiled.id, blueprintVersion: version, parentRunID: parent?.runID,
                    parentNodeID: parent?.node.nodeID, context: context)
                change.history = [RedisHistoryEntry.encode(.runStarted(start), time: Int64(QueueClock.nowMilliseconds()))]
            }
            return change
        }
    }

    let client: RedisClient
    let options: DistributedOptions
    /// The queue's shards: which BullMQ queue a run's jobs go to.
    let shards: QueueShards
    /// The keys of the single layout's queue (computed once: the per-node path builds none).
    private let singleQueueKeys: QueueKeys
    /// Whether a change's node events (``Change/emitNodeEvents(to:)``) wait for the script's outcome
    /// instead of going out before it: whenever a run-context limit is set. Any commit may take the
    /// run's context past it (nodes committing meanwhile grow it too), which fails the run and the
    /// node, which then has `node:error` and no `node:finish` (as in memory). They are emitted after
    /// the commit unless it failed so; a node's successors in other processes may then start first
    /// (in this process they wait for them: ``heldEvents``).
    private var holdsNodeEvents: Bool { options.sizeLimits.maximumRunContextBytes != nil }
    /// The commits in flight whose node events are held, which this process's `node:start` events
    /// of the same run wait for (`nil` when nothing is held: no listener, or no run-context limit).
    let heldEvents: HeldNodeEvents?

    init(client: RedisClient, options: DistributedOptions) {
        self.client = client
        self.options = options
        heldEvents =
            options.eventHandler != nil && options.sizeLimits.maximumRunContextBytes != nil ? HeldNodeEvents.shared : nil
        shards = options.shards
        singleQueueKeys = QueueKeys(prefix: options.queuePrefix, queueName: options.queueName)
    }

    /// The BullMQ queue of `runID`'s jobs (its shard's; the queue itself in the single layout).
    func queueName(forRun runID: String) -> String { shards.queueName(forRun: runID) }

    /// The keys of the BullMQ queue of `runID`'s jobs.
    func queueKeys(forRun runID: String) -> QueueKeys {
        guard case .sharded = shards.layout else { return singleQueueKeys }
        return QueueKeys(prefix: options.queuePrefix, queueName: shards.queueName(forRun: runID))
    }

    func commit(runID: String, blueprintID: String, version: String?, _ change: Change) async throws -> Outcome {
        let events = EventEmitter(handler: options.eventHandler, runID: runID, blueprintID: blueprintID)
        // The node's own events go out before the script enqueues its successors, so that every
        // listener sees a node finish before its successors start (even in another process), unless
        // they wait for the script's outcome (``holdsNodeEvents``).
        if let events { change.emitBeforeCommit(to: events, holding: holdsNodeEvents) }
        let held = holdingTicket(runID: runID, change)
        defer { if let held { heldEvents?.end(held) } }
        let reply: RedisReply
        do {
            reply = try await client.evalScript(
                NodeCompletionScript.script, call(runID: runID, blueprintID: blueprintID, version: version, change))
        } catch {
            // A run key of the wrong Redis type: the script ended the run `failed`, naming the keys.
            guard error.message.hasPrefix(NodeCompletionScript.runEndedError) else { throw error }
            let reason = error.message.dropFirst(NodeCompletionScript.runEndedError.count)
            throw DistributedError("the run ended failed: \(reason)", cause: .unexpectedReply)
        }
        let outcome = try Self.outcome(reply)
        if let events { change.emitAfterCommit(outcome, to: events, held: holdsNodeEvents) }
        return outcome
    }

    /// The commit as a ``FinishStep``: the worker commits it in the call that completes the node's job.
    /// The node's events are emitted now (before its successors can start), or, held, once the step
    /// answered (``holdsNodeEvents``); `then` gets the outcome.
    func finishStep(
        runID: String, blueprintID: String, version: String?, _ change: Change, returnValuePrefix: String,
        then: @escaping @Sendable (Result<Outcome, any Error>) -> Void
    ) -> FinishStep {
        let events = EventEmitter(handler: options.eventHandler, runID: runID, blueprintID: blueprintID)
        let holding = holdsNodeEvents
        if let events { change.emitBeforeCommit(to: events, holding: holding) }
        let call = call(runID: runID, blueprintID: blueprintID, version: version, change)
        // (The worker calls the completion once on every path, the step's refusal and errors too.)
        let held = holdingTicket(runID: runID, change)
        let heldEvents = heldEvents
        var step = FinishStep(
            script: NodeCompletionScript.finishingScript, keys: call.keys, arguments: call.arguments,
            returnValuePrefix: returnValuePrefix
        ) { reply in
            let outcome = reply.flatMap { reply in Result { try Self.outcome(reply) } }
            if let events, case .success(let outcome) = outcome { change.emitAfterCommit(outcome, to: events, held: holding) }
            if let held { heldEvents?.end(held) }
            then(outcome)
        }
        // A call that ran but lost its reply: the code and run status are in the job's returnvalue
        // (`{"nodeId":…,"commit":…,"run":…}`); what died or stalled is not.
        step.recoveredReply = { returnValue in
            guard let object = (try? JSONText.parse(returnValue))?.objectValue, let code = object["commit"]?.stringValue,
                let run = object["run"]?.stringValue
            else { return nil }
            return .array([.bulk(Array(code.utf8)), .bulk(Array(run.utf8)), .integer(0)])
        }
        return step
    }

    /// The ticket of a commit whose node events are held (``heldEvents``): a run's start holds none.
    private func holdingTicket(runID: String, _ change: Change) -> HeldNodeEvents.Ticket? {
        guard let heldEvents, change.mode != .start else { return nil }
        return heldEvents.begin(runID)
    }

    /// The script's keys and arguments for `change`.
    private func call(runID: String, blueprintID: String, version: String?, _ change: Change) -> NodeCompletionScript.Call {
        NodeCompletionScript.Call(
            runKeys: DistributedKeys(runID: runID), queueName: queueName(forRun: runID), mode: change.mode,
            instance: change.instance, now: QueueClock.nowMilliseconds(), stateTTL: options.stateTTLSeconds,
            queuePrefix: queueKeys(forRun: runID).base, jobName: options.jobName, blueprintID: blueprintID,
            blueprintVersion: version ?? "", reason: change.reason, attempts: change.attempts,
            statusPayloadLimit: options.sizeLimits.maximumStatusPayloadBytes ?? 0,
            runContextLimit: options.sizeLimits.maximumRunContextBytes ?? 0, values: change.values,
            deleted: change.deleted, starts: change.starts, records: change.records,
            historyCap: options.history.maximumEventsPerRun, history: change.history)
    }

    /// The script's reply as an ``Outcome``.
    private static func outcome(_ reply: RedisReply) throws -> Outcome {
        guard let items = reply.array, items.count >= 3, let code = items[0].string.flatMap(Outcome.Commit.init),
            let status = items[1].string.flatMap(DistributedRunStatus.Status.init)
        else {
            throw DistributedError("unexpected reply from the completion script: \(reply)", cause: .unexpectedReply)
        }
        var outcome = Outcome(commit: code, status: status, enqueued: items[2].int ?? 0)
        if items.count >= 5 {
            outcome.died = items[3].array?.compactMap(\.string) ?? []
            outcome.stalled = items[4].array?.compactMap(\.string) ?? []
        }
        if items.count >= 6 { outcome.parked = items[5].array?.compactMap(\.string) ?? [] }
        if items.count >= 7 { outcome.limitFailure = items[6].string }
        return outcome
    }
}

import Flowcraft
import Logging

/// Executes one `executeNode` job: reads what the node needs (one round trip), runs the node with the
/// same node code as the in-memory engine, and commits its completion with one script call.
final class NodeJobExecutor: Sendable {
    let catalog: BlueprintCatalog
    let registry: NodeRegistry
    let client: RedisClient
    let options: DistributedOptions
    let committer: RunCommitter
    let canceller: RunCanceller
    /// Nodes running now, stopped when their run ends elsewhere.
    let runningNodes = RunningNodes()

    init(catalog: BlueprintCatalog, registry: NodeRegistry, client: RedisClient, options: DistributedOptions) {
        self.catalog = catalog
        self.registry = registry
        self.client = client
        self.options = options
        committer = RunCommitter(client: client, options: options)
        canceller = RunCanceller(client: client, catalog: catalog, committer: committer)
    }

    /// The job processor: returns a small JSON summary stored as the job's `returnvalue` or, for a
    /// node's completion, the commit as a ``FinishStep`` the worker runs in the same call that completes
    /// the job; throws ``UnrecoverableJobError`` for payloads that can never succeed and for failed runs.
    ///
    /// A job refused before its node could commit (``JobRefusal``, or a run key of the wrong Redis type)
    /// ends its run `failed` with the reason (``RunAbortScript``) when the refusal says so; a payload
    /// with no usable `runId` only fails its job.
    ///
    /// - Parameter queueName: in a sharded layout, the shard queue the job came from: a job whose run
    ///   belongs to another shard fails unrun (its commit would touch two Redis Cluster slots).
    func process(_ job: Job, queueName: String? = nil) async throws -> ProcessedJob {
        let data: NodeJobData
        do {
            data = try NodeJobData(json: job.data)
        } catch {
            throw UnrecoverableJobError(error.description)
        }
        if let queueName, case let expected = committer.queueName(forRun: data.runID), expected != queueName {
            throw UnrecoverableJobError(
                "job '\(job.id)' of run '\(data.runID.prefix(200))' is on queue '\(queueName)', but the run's shard queue is "
                    + "'\(expected)' (in a sharded layout a run's jobs go to the queue named by its id's tag)")
        }
        if let deferred = job.deferredFailure {
            // Stalled too often: the workers running its node stopped (crashed, were killed or lost
            // Redis) that many times. The node failed, and so does its run (found by review: the job
            // failed, and the run stayed "running" for ever).
            let stalls = job.fields["stc"].map { " \($0) times" } ?? ""
            let reason = "node '\(data.nodeID)' failed: \(deferred) (the workers running it stopped\(stalls): crashed, killed, or cut off from Redis)"
            try await abortRun(data, reason: reason)
            throw UnrecoverableJobError(reason)
        }
        do {
            return try await process(job, data: data)
        } catch let missing as MissingBlueprint {
            switch try await BlueprintHandOff(client: client, options: options).decide(missing, runID: data.runID) {
            case .handBack(let delay, let reason):
                options.logger.info("handing back a job whose blueprint this worker lacks",
                    metadata: ["runId": "\(data.runID.prefix(200))", "nodeId": "\(data.nodeID)", "reason": "\(reason)"])
                throw JobHandBack(delayMilliseconds: delay, reason: reason)
            case .failRun(let reason):
                try await abortRun(data, reason: reason)
                throw UnrecoverableJobError(reason)
            }
        } catch let refusal as JobRefusal {
            if refusal.endsRun { try await abortRun(data, reason: refusal.reason) }
            throw UnrecoverableJobError(refusal.reason)
        } catch let error as RedisError where JobRefusal.isWrongType(error) {
            let reason = JobRefusal.wrongType(runID: data.runID, key: nil, error.message).reason
            try await abortRun(data, reason: reason, namingWrongTypedKeys: true)
            throw UnrecoverableJobError(reason)
        }
    }

    /// Ends `data`'s run `failed` with `reason` whatever state its keys are in (nothing is written for
    /// a run that does not exist or changed for one that ended).
    /// `namingWrongTypedKeys`: the reason names the run's keys of the wrong Redis type (a WRONGTYPE error).
    private func abortRun(_ data: NodeJobData, reason: String, namingWrongTypedKeys: Bool = false) async throws {
        let reply = try await client.evalScript(
            RunAbortScript.script,
            RunAbortScript.Call(
                runKeys: DistributedKeys(runID: data.runID), queueName: committer.queueName(forRun: data.runID), reason: reason,
                nodeID: data.nodeID, now: QueueClock.nowMilliseconds(), stateTTL: options.stateTTLSeconds,
                queuePrefix: committer.queueKeys(forRun: data.runID).base, jobName: options.jobName, blueprintID: data.blueprintID,
                historyCap: options.history.maximumEventsPerRun, namesWrongTypedKeys: namingWrongTypedKeys))
        guard RunAbortScript.Outcome(reply) == .failed else { return }
        // The reason as written (with the wrong-typed keys, when named).
        let reason = reply.array.flatMap { $0.count > 2 ? $0[2].string : nil } ?? reason
        options.logger.error("run failed: a job was refused before its node could commit",
            metadata: ["runId": "\(data.runID.prefix(200))", "nodeId": "\(data.nodeID)", "reason": "\(reason)"])
        Self.emitAbort(of: data, reason: reason, to: EventEmitter(handler: options.eventHandler, runID: data.runID, blueprintID: data.blueprintID))
    }

    /// The events of a run failed by an abort (a job refused, a node that stalled too often, a commit that
    /// met a run key of the wrong type): the node's `node:error` — no attempt reported this failure —
    /// then `workflow:finish`.
    static func emitAbort(of data: NodeJobData, reason: String, to events: EventEmitter?) {
        guard let events else { return }
        let error = errorEvent(data.nodeID, message: reason, attempts: 1)
        events.emit(error.type, nodeID: error.nodeID, error.payload)
        events.emit(.workflowFinish, ["status": .string(DistributedRunStatus.Status.failed.rawValue), "errors": [.string(reason)]])
    }

    /// The job's `node:start`, once the commits of its run in flight in this process emitted the node
    /// events they hold (``HeldNodeEvents``: a predecessor's `node:finish` comes first).
    func emitStart(_ events: EventEmitter?, nodeID: String, input: JSONValue, job: Job) async {
        guard let events else { return }
        if let held = committer.heldEvents { await held.waitForCommitsInFlight(of: events.runID) }
        events.emit(.nodeStart, nodeID: nodeID, ["input": input, "attempt": .int(job.attemptsMade + 1)])
    }

    /// One node job: admitted, then a built-in step (``BuiltinStep``) or the node's implementation.
    private func process(_ job: Job, data: NodeJobData) async throws -> ProcessedJob {
        let provisional = try provisionalBlueprint(data)
        if data.batchOf != nil { return .value(try await processBatchWorker(job, data: data)) }
        if data.dynamicOf != nil { return .value(try await processDynamic(job, data: data)) }
        var (run, n): (RunContext, Int)
        switch try await admit(data, provisional: provisional) {
        case .run(let admitted, let index): (run, n) = (admitted, index)
        case .skip(let summary): return .value(summary)
        }
        // A sleep's execution spans its delay: it began when its (delayed) job was added.
        if run.prepared.compiled.builtins[n] == .sleep, job.timestamp > 0 {
            run.startedAt = min(run.startedAt, Int64(job.timestamp))
        }
        startHistory(&run, job: job)
        let plan = run.prepared.compiled
        let node = plan.nodes[n]
        let events = EventEmitter(handler: options.eventHandler, runID: data.runID, blueprintID: plan.id)
        await emitStart(events, nodeID: node.id, input: run.input, job: job)
        // (After `node:start`: its `node:error` follows, as for any failed execution.)
        if let reason = run.prepared.unsupportedReason {
            return .value(try await failRun(run, reason: reason, fatal: true, unreportedError: reason))
        }
        if let builtin = plan.builtins[n] {
            return try await apply(BuiltinStep.decide(builtin, node: node, input: run.input), run, node: node, index: n)
        }
        return try await runImplementation(run, node: node, index: n, job: job, events: events)
    }

    /// What ``admit(_:provisional:)`` found.
    private enum Admission {
        /// The job runs node `index` of its run.
        case run(RunContext, index: Int)
        /// The job has nothing to do (its run ended, or its node already committed).
        case skip(JSONValue)
    }

    /// Admits a node job (``JobAdmission``: one round trip for the run's version, the node's input
    /// keys — read with the provisional blueprint's plan, re-read if the run's version differs — and
    /// its pending entry) and resolves its input. A fallback runs with the failed node's input.
    private func admit(_ data: NodeJobData, provisional: DistributedBlueprint) async throws -> Admission {
        // (Whether the node exists is decided with the run's version, after the admission.)
        let inputNodeID = data.fallbackFor ?? data.nodeID
        var inputKeys = provisional.compiled.nodeIndex[inputNodeID].map { provisional.inputPlans[$0].keys } ?? []
        let admitted: JobAdmission
        switch try await JobAdmission.read(data, fields: inputKeys, client: client, catalog: catalog) {
        case .run(let admission): admitted = admission
        case .skip(let summary): return .skip(summary)
        }
        let prepared = admitted.prepared
        if prepared !== provisional { inputKeys = [] }
        let plan = prepared.compiled
        guard let n = plan.nodeIndex[data.nodeID] else {
            throw JobRefusal("blueprint '\(data.blueprintID)' has no node '\(data.nodeID)'")
        }
        var prefetched: [String: JSONValue?] = [:]
        for (key, value) in zip(inputKeys, admitted.values) { prefetched[key] = .some(value) }
        let state = RedisWorkflowState(runID: data.runID, client: client, mode: .buffered, prefetched: prefetched)
        guard let inputIndex = plan.nodeIndex[inputNodeID] else {
            throw JobRefusal("blueprint '\(data.blueprintID)' has no node '\(inputNodeID)'")
        }
        let inputPlan = prepared.inputPlans[inputIndex]
        let input = inputPlan.resolve(try await state.get(inputPlan.keys))
        var item = WorkItem.node(n)
        if let failed = data.fallbackFor {
            guard let m = plan.nodeIndex[failed], plan.fallbacks[m] == n else {
                throw JobRefusal("node '\(data.nodeID)' is not the fallback of '\(failed)'")
            }
            item = .fallback(node: m, fallback: n)
        }
        let run = RunContext(
            data: data, prepared: prepared, version: admitted.version, state: state, input: input, item: item,
            runExists: admitted.runExists)
        return .run(run, index: n)
    }

    /// Applies a built-in's step (``BuiltinStep``) as this engine runs it.
    private func apply(_ step: BuiltinStep, _ run: RunContext, node: NodeDefinition, index n: Int) async throws -> ProcessedJob {
        switch step {
        case .wait:
            let outcome = try await commit(run, RunCommitter.Change(mode: .await, instance: run.data.instance.description))
            return .value(summary(run.data, outcome))
        case .sleep:
            // The delay was applied when the job was added (a delayed job); the node passes its input on.
            return try await complete(run, result: NodeResult(output: run.input))
        case .loopController:
            let result: NodeResult
            do {
                result = try await loopStep(run, node: node, index: n)
            } catch let error as FatalNodeError {
                return .value(
                    try await failRun(run, reason: "node '\(node.id)': \(error.message)", fatal: true, unreportedError: error.message))
            }
            return try await complete(run, result: result)
        case .scatter(let batch, let items):
            return .value(try await scatter(run, node: node, index: n, batch: batch, items: items))
        case .gather(let gather):
            let (result, event) = try await Self.gather(gather, node: node, state: run.state)
            return try await complete(run, result: result, events: [event])
        case .subflow(let blueprintID, let mapping):
            return try await advanceSubflow(run, node: node, index: n, blueprintID: blueprintID, mapping: mapping)
        case .fail(let message):
            return .value(try await failRun(run, reason: "node '\(node.id)': \(message)", fatal: true, unreportedError: message))
        }
    }

    /// Runs a node's implementation and commits its completion, its dynamic nodes or its failure.
    private func runImplementation(
        _ run: RunContext, node: NodeDefinition, index n: Int, job: Job, events: EventEmitter?
    ) async throws -> ProcessedJob {
        guard let implementation = registry.implementation(for: node.uses) else {
            let message = "no implementation registered for '\(node.uses)'"
            return .value(try await failRun(run, reason: "node '\(node.id)': \(message)", fatal: true, unreportedError: message))
        }
        guard
            let outcome = try await runAttempts(
                implementation, config: node.config, nodeID: node.id, params: node.params, input: run.input,
                blueprintID: run.prepared.compiled.id, data: run.data, state: run.state,
                keys: DistributedKeys(runID: run.data.runID), job: job,
                events: attemptEvents(run, forwarding: events))
        else {
            return .value(["skipped": "run cancelled or finished while the node ran"])
        }
        switch outcome {
        case .success(let result):
            guard result.dynamicNodes.isEmpty else { return .value(try await spawnDynamicNodes(run, result: result)) }
            return try await complete(run, result: result)
        case .laterSuccess(let result, let attempt):
            guard result.dynamicNodes.isEmpty else { return .value(try await spawnDynamicNodes(run, result: result)) }
            return try await complete(run, result: result, attempt: attempt)
        case .failure(let message, let attempts, let fatal):
            // The attempt loop reported each failed attempt as `node:error`.
            return .value(try await handleFailure(run, index: n, message: message, attempts: attempts, fatal: fatal, reported: true))
        case .cancelled, .suspendedSubflow:
            // The job's task was cancelled (the worker is stopping): nothing is committed and the
            // job is left to stalled-job recovery.
            throw CancellationError()
        }
    }

    /// The blueprint to read a job's inputs with: the one its fingerprint names, else the id's
    /// provisional blueprint (``JobAdmission`` then checks the run's version and the fingerprint).
    /// Throws ``MissingBlueprint`` when this worker has no blueprint of that id.
    func provisionalBlueprint(_ data: NodeJobData) throws(MissingBlueprint) -> DistributedBlueprint {
        if let fingerprint = data.blueprintFingerprint, let prepared = catalog.prepared(fingerprint: fingerprint),
            prepared.compiled.id == data.blueprintID
        {
            return prepared
        }
        do {
            return try catalog.provisional(id: data.blueprintID)
        } catch {
            throw MissingBlueprint(
                id: data.blueprintID, version: nil, fingerprint: data.blueprintFingerprint,
                reason: "\(error.description) (this worker has \(catalog.ids.map { "'\($0)'" }.joined(separator: ", ")))")
        }
    }

    // MARK: - Steps

    /// Runs a node's attempts with the runtime's attempt loop (retry delays sleep in real time). In
    /// queue retry mode a job makes one attempt and a retryable failure is thrown, so BullMQ schedules
    /// the next attempt with its backoff. `nil` when the run was cancelled or finished elsewhere while
    /// the node ran.
    func runAttempts(
        _ implementation: any NodeImplementation, config: NodeConfig, nodeID: String, params: [String: JSONValue],
        input: JSONValue, blueprintID: String, data: NodeJobData, state: RedisWorkflowState,
        keys: DistributedKeys, job: Job, events: EventEmitter?
    ) async throws -> JobOutcome? {
        let startedAt = Int64(QueueClock.nowMilliseconds())
        let maxAttempts = max(1, config.maxRetries ?? 1)
        let first = options.retryMode == .queue ? min(maxAttempts, job.attemptsMade + 1) : 1
        let last = options.retryMode == .queue ? first : maxAttempts
        // Queue retry mode: BullMQ makes the next attempt, which `node:error` announces (it said no retry).
        let loop = NodeAttemptLoop(
            implementation: implementation, lastAttempt: last, retryDelay: max(0, config.retryDelay ?? 0),
            timeout: config.timeout, middleware: options.middleware, backoff: .default, clock: SystemClock(),
            events: events
        ).announcingAttempts(upTo: maxAttempts)
        let context = NodeContext(
            runID: data.runID, blueprintID: blueprintID, nodeID: nodeID, input: input, params: params,
            attempt: first, state: state, logger: options.logger, dependencies: options.dependencies,
            batchItemIndex: data.batchOf == nil ? nil : data.batchIndex)
        let outcome = await runningNodes.run(runKey: keys.run) { await loop.run(context) }
        if case .failure(let message, let attempts, let fatal)? = outcome, options.retryMode == .queue, !fatal,
            attempts < maxAttempts
        {
            await recordRetriedAttempt(data, attempt: attempts, startedAt: startedAt, error: message)
            // BullMQ makes the next attempt after the job's backoff (the worker's delay for it, as
            // the in-process loop announces its own).
            let delay = job.options.backoff?.delay(afterAttemptsMade: job.attemptsMade) ?? 0
            events?.emit(.nodeRetry, nodeID: nodeID, ["attempt": .int(attempts + 1), "delayMs": .int(delay)])
            throw DistributedError(message)
        }
        return outcome
    }

    struct RunContext {
        let data: NodeJobData
        let prepared: DistributedBlueprint
        let version: String?
        let state: RedisWorkflowState
        let input: JSONValue
        let item: WorkItem
        /// Whether the run's bookkeeping exists (false for the first job of a run started by a client
        /// that only enqueues start jobs).
        let runExists: Bool
        /// When the job started running the node (ms), for its history record.
        var startedAt = Int64(QueueClock.nowMilliseconds())
        /// The node's attempts as its attempt loop reports them (history on).
        var attemptLog: HistoryAttemptLog? = nil
        /// In queue retry mode, the attempts earlier jobs of this node made (their history is read once).
        var earlierAttempts = 0
    }

    /// A node's completion, committed by the worker together with the job's completion (one call).
    func complete(_ run: RunContext, result: NodeResult, attempt: Int = 1, events: [CommitEvent] = []) async throws -> ProcessedJob {
        // Size limits before anything reaches Redis: an oversized output or value fails the run (as
        // a failure of the attempt that produced it).
        if let failed = try await failRunOverSizeLimits(run, output: result.output, nodeID: run.data.nodeID, attempt: attempt) {
            return .value(failed)
        }
        var change = try await Self.completionChange(
            prepared: run.prepared, data: run.data, item: run.item, result: result, input: run.input,
            state: run.state, options: options)
        // Only `wait` and `subflow` nodes are ever parked: every other node commits without the
        // awaiting bookkeeping.
        if change.mode == .complete, case .node(let n) = run.item, plan(run).builtins[n] != .wait,
            plan(run).builtins[n] != .subflow
        {
            change.mode = .advance
        }
        // Event payloads are built only when someone listens (this is every node's path).
        if options.eventHandler != nil {
            change.events = events + [Self.finishEvent(run.data.nodeID, result)] + change.events
        }
        await adoptClientStartedRun(run, into: &change)
        await recordHistory(run, into: &change, status: change.mode == .fail ? .failed : .completed, result: result,
                            error: change.mode == .fail ? change.reason : nil)
        let data = run.data
        let logger = options.logger
        let step = committer.finishStep(
            runID: data.runID, blueprintID: data.blueprintID, version: run.version, change,
            returnValuePrefix: #"{"nodeId":"# + JSONText.serialize(.string(data.nodeID)) + #","commit":""#
        ) { [eventHandler = options.eventHandler] outcome in
            if case .success(let outcome) = outcome, outcome.commit == .unscheduled {
                logger.warning(
                    "a node job was not scheduled in its run; nothing was committed",
                    metadata: ["runId": "\(data.runID)", "nodeId": "\(data.nodeID)", "iteration": "\(data.iteration)"])
            }
            // The commit met a run key of the wrong Redis type and ended the run (the step refused).
            if case .failure(let error as FinishStepRejected) = outcome, error.message.hasPrefix(NodeCompletionScript.runEndedRefusal) {
                let reason = String(error.message.dropFirst(NodeCompletionScript.runEndedRefusal.count))
                logger.error("run failed: the node's commit met a run key of the wrong Redis type",
                    metadata: ["runId": "\(data.runID.prefix(200))", "nodeId": "\(data.nodeID)", "reason": "\(reason)"])
                Self.emitAbort(of: data, reason: reason, to: EventEmitter(handler: eventHandler, runID: data.runID, blueprintID: data.blueprintID))
            }
        }
        return .finishing(step)
    }

    private func plan(_ run: RunContext) -> CompiledBlueprint { run.prepared.compiled }

    /// Fails the run when `output` or the values the node wrote break a ``SizeLimits`` limit (the
    /// in-memory engine's rule for every node, batch workers and dynamic nodes too), as a failure
    /// of `attempt`, the one that produced them; `nil` when none does.
    func failRunOverSizeLimits(_ run: RunContext, output: JSONValue, nodeID: String, attempt: Int) async throws -> JSONValue? {
        guard let violation = Self.sizeViolation(output, state: run.state, nodeID: nodeID, limits: options.sizeLimits) else {
            return nil
        }
        return try await failRun(run, reason: violation.description, fatal: true, attempts: attempt, unreportedError: violation.message)
    }

    /// The first ``SizeLimits`` violation of a completion: its output, then the values the node wrote.
    static func sizeViolation(
        _ output: JSONValue, state: RedisWorkflowState, nodeID: String, limits: SizeLimits
    ) -> SizeLimitViolation? {
        // Nesting always: deeper JSON would not come back from Redis as it went in.
        if let violation = SizeLimits.checkNesting(output, nodeID: nodeID) { return violation }
        // The node's writes, collected (and sorted under the state's lock) once for both checks.
        let written = state.bufferedChanges().set
        for (key, value) in written {
            if let violation = SizeLimits.checkNesting(value, key: key, nodeID: nodeID) { return violation }
        }
        guard limits.limitsNodes else { return nil }
        if let violation = limits.checkOutput(output, nodeID: nodeID) { return violation }
        guard limits.maximumValueBytes != nil else { return nil }
        for (key, value) in written {
            if let violation = limits.checkValue(value, key: key, nodeID: nodeID) { return violation }
        }
        return nil
    }

    /// The context keys routing reads, fetched in one round trip (the whole hash only when an
    /// expression reads `context`).
    static func routingContext(
        _ prepared: DistributedBlueprint, nodes: [Int], state: RedisWorkflowState
    ) async throws -> [String: JSONValue] {
        var keys: Set<String> = []
        for n in nodes {
            guard let needed = prepared.routingKeys[n] else { return try await state.snapshot() }
            keys.formUnion(needed)
        }
        return keys.isEmpty ? [:] : try await state.get(keys.sorted())
    }

    /// The commit of a successful completion: buffered state writes, the output, the inputs of the
    /// targets of taken edges (transformed when the edge says so) and the arrival records of the
    /// routing the runtime's scheduler decides.
    ///
    /// Routing sees the context as the in-memory engine's does: after this completion's writes (the
    /// node's state writes, its output — a fallback's under the failed node too —, a gather's result),
    /// laid over the keys read from Redis; each target input written is visible to the transforms
    /// after it.
    static func completionChange(
        prepared: DistributedBlueprint, data: NodeJobData, item: WorkItem, result: NodeResult, input: JSONValue,
        state: RedisWorkflowState, options: DistributedOptions
    ) async throws -> RunCommitter.Change {
        let plan = prepared.compiled
        let routedNodes: [Int]
        switch item {
        case .fallback(let m, let f): routedNodes = [m, f]
        case .node(let n): routedNodes = [n]
        case .worker: routedNodes = []
        }
        // The output goes into the buffered writes first: the routing read below returns buffered
        // values over Redis's (and needs no round trip for a key this commit writes).
        for key in ContextKeys.outputKeys(of: item, nodeID: data.nodeID, in: plan) {
            try await state.set(key, result.output)
        }
        var context = try await routingContext(prepared, nodes: routedNodes, state: state)
        let planner = CompletionPlanner(prepared: prepared, runID: data.runID, options: options)
        var edgeEvents: [CommitEvent] = []
        let (records, taken, unrouted) = planner.records(
            completing: item, action: result.action, iteration: data.iteration
        ) { e in
            guard let condition = plan.edges[e].condition else { return true }
            let holds = condition.evaluate(
                in: EdgeConditionScope(output: result.output, action: result.action, context: context)).isTruthy
            if options.eventHandler != nil {
                let source = plan.nodes[plan.edges[e].source].id
                edgeEvents.append(CommitEvent(type: .edgeEvaluate, nodeID: source, payload: [
                    "source": .string(source), "target": .string(plan.nodes[plan.edges[e].target].id),
                    "condition": .string(condition.text), "result": .bool(holds),
                ]))
            }
            return holds
        }

        var change = RunCommitter.Change(mode: .complete, instance: data.instance.description)
        let buffered = state.bufferedChanges()
        change.values = buffered.set
        change.deleted = buffered.deleted
        change.writeOrder = state.bufferedWriteOrder()
        for e in taken where plan.writesTargetInput(edge: e) {
            let edge = plan.edges[e]
            let value = edge.transform?.evaluate(in: EdgeTransformScope(input: result.output, context: context)) ?? result.output
            let key = ContextKeys.input(of: plan.nodes[edge.target].id)
            change.values.append((key, value))
            context[key] = value
        }
        change.records = records
        change.events = edgeEvents
        // A fallback's entry names the failed node too: its events name the fallback.
        if data.fallbackFor != nil, data.dynamicOf == nil { change.eventNodeID = data.nodeID }
        if let unrouted {
            // An action no edge routes fails the run in the same commit (`RoutingRules`).
            change.mode = .fail
            change.records = []
            change.reason = RoutingRules.unroutedMessage(plan, node: unrouted.node, action: unrouted.action)
            change.attempts = 1
        }
        return change
    }

    /// The loop controller, as the in-memory engine runs it: while its condition holds it continues
    /// into the next iteration (failing past the cap), else it breaks. A job's `iteration` is the
    /// number of times the loop continued so far.
    private func loopStep(_ run: RunContext, node: NodeDefinition, index n: Int) async throws -> NodeResult {
        let plan = run.prepared.compiled
        let cap = LoopControllerStep.cap(of: node, default: LoopControllerStep.defaultMaximumIterations)
        let context = try await Self.routingContext(run.prepared, nodes: [n], state: run.state)
        let holds = plan.loopConditions[n]?.evaluate(in: LoopConditionScope(context: context)).isTruthy ?? false
        let numbering = IterationNumbering(plan)
        let round = numbering.round(of: run.data.iteration, depth: plan.loops.depths[n] ?? 1)
        guard holds else { return LoopControllerStep.breakResult(iterations: round) }
        if let limit = numbering.roundLimit, round + 1 > limit, cap > limit {
            throw FatalNodeError("a nested loop can count at most \(limit) rounds per entry in the distributed engine")
        }
        return try LoopControllerStep.continueResult(iteration: round + 1, cap: cap).get()
    }

    /// The node failed with `message` after `attempts`: its fallback takes over (not when `fatal`), or
    /// the run fails. A failure not `reported` as `node:error` yet (a subflow's) is reported with it,
    /// as in memory.
    func handleFailure(
        _ run: RunContext, index n: Int, message: String, attempts: Int, fatal: Bool, reported: Bool
    ) async throws -> JSONValue {
        let plan = run.prepared.compiled
        let error = reported ? [] : [Self.errorEvent(run.data.nodeID, message: message, attempts: attempts)]
        if !fatal, case .node = run.item, let f = plan.fallbacks[n] {
            let planner = CompletionPlanner(prepared: run.prepared, runID: run.data.runID, options: options)
            var change = RunCommitter.Change(mode: .complete, instance: run.data.instance.description)
            change.records = [planner.fallbackRecord(node: n, fallback: f, iteration: run.data.iteration)]
            await recordHistory(run, into: &change, status: .recovered, error: message, fallbackNodeID: plan.nodes[f].id)
            change.events = error + [CommitEvent(
                type: .nodeFallback, nodeID: run.data.nodeID,
                payload: ["fallback": .string(plan.nodes[f].id), "error": .string(message)])]
            let outcome = try await commit(run, change)
            return summary(run.data, outcome).merging(["fallback": .string(plan.nodes[f].id)])
        }
        let reason = "node '\(run.data.nodeID)' failed after \(attempts) attempt\(attempts == 1 ? "" : "s"): \(message)"
        return try await failRun(run, reason: reason, fatal: fatal, attempts: attempts, unreportedError: reported ? nil : message)
    }

    /// Fails the run with `reason` (the node's failure). `unreportedError`: the node's own error when
    /// no attempt reported it as `node:error` (a built-in's, a limit's, a missing implementation's):
    /// emitted with the failure, as the in-memory engine does.
    func failRun(
        _ run: RunContext, reason: String, fatal: Bool, attempts: Int = 1, unreportedError: String? = nil
    ) async throws -> JSONValue {
        var change = RunCommitter.Change(mode: .fail, instance: run.data.instance.description, reason: reason)
        change.attempts = attempts
        if let unreportedError { change.events = [Self.errorEvent(run.data.nodeID, message: unreportedError, attempts: attempts)] }
        await recordHistory(run, into: &change, status: .failed, error: reason)
        let pending = try await pendingSubflowEntries(run)
        let outcome = try await commit(run, change)
        if outcome.commit == .committed {
            await cancelChildren(run, entries: pending, reason: "parent run '\(run.data.runID)' failed")
        }
        throw UnrecoverableJobError(reason)
    }

    func commit(_ run: RunContext, _ change: RunCommitter.Change) async throws -> RunCommitter.Outcome {
        var change = change
        await adoptClientStartedRun(run, into: &change)
        let outcome = try await committer.commit(
            runID: run.data.runID, blueprintID: run.data.blueprintID, version: run.version, change)
        if outcome.commit == .unscheduled {
            throw UnrecoverableJobError("node '\(run.data.nodeID)' (iteration \(run.data.iteration)) is not scheduled in run '\(run.data.runID)'")
        }
        return outcome
    }

    /// `node:error` for a failure no attempt reported, as the in-memory engine emits it.
    static func errorEvent(_ nodeID: String, message: String, attempts: Int) -> CommitEvent {
        CommitEvent(
            type: .nodeError, nodeID: nodeID,
            payload: NodeAttemptLoop.errorPayload(message: message, attempt: max(1, attempts), willRetry: false))
    }

    /// `node:finish` as the in-memory engine emits it.
    static func finishEvent(_ nodeID: String, _ result: NodeResult) -> CommitEvent {
        var payload: [String: JSONValue] = ["output": result.output]
        if let action = result.action { payload["action"] = .string(action) }
        return CommitEvent(type: .nodeFinish, nodeID: nodeID, payload: payload)
    }

    func summary(_ data: NodeJobData, _ outcome: RunCommitter.Outcome) -> JSONValue {
        ["nodeId": .string(data.nodeID), "commit": .string(outcome.code), "run": .string(outcome.runStatus)]
    }

    static func versionText(_ value: JSONValue) -> String? {
        switch value {
        case .string(let text): return text.isEmpty ? nil : text
        case .int(let i): return String(i)
        case .double(let d): return String(d)
        default: return nil
        }
    }
}

extension JSONValue {
    fileprivate func merging(_ other: [String: JSONValue]) -> JSONValue {
        guard case .object(var members) = self else { return self }
        for (k, v) in other { members[k] = v }
        return .object(members)
    }
}

import Flowcraft

/// Batch scatter/gather as parallel jobs, routed like dynamic nodes (``DynamicNodes``): the
/// scatter's commit stores its output and enqueues the first window of worker jobs in place of its
/// routing; each worker's commit records its output, arrives at the scatter's continuation and
/// enqueues the item one window later; the continuation, enqueued once by the last worker's commit,
/// routes from the scatter (to its gather and any other successor), as the in-memory engine does
/// once a batch's workers finished.
extension NodeJobExecutor {
    /// The scatter: commits the items and the worker ids with its completion, and enqueues the first
    /// window of worker jobs in place of its routing.
    func scatter(
        _ run: RunContext, node: NodeDefinition, index s: Int, batch spec: BatchPlan, items values: [JSONValue]
    ) async throws -> JSONValue {
        let plan = run.prepared.compiled
        guard plan.nodeIndex[spec.gatherID] != nil else {
            let message = "batch-scatter's 'gatherNodeId' '\(spec.gatherID)' names no node of the blueprint"
            return try await failRun(run, reason: "node '\(node.id)': \(message)", fatal: true, unreportedError: message)
        }
        guard registry.implementation(for: spec.workerUses) != nil else {
            let message = "no implementation registered for batch worker '\(spec.workerUses)'"
            return try await failRun(run, reason: "node '\(node.id)': \(message)", fatal: true, unreportedError: message)
        }
        var change = try await Self.batchScatterChange(
            prepared: run.prepared, data: run.data, item: run.item, scatter: s, spec: spec, items: values,
            input: run.input, state: run.state, options: options)
        change.events = [
            CommitEvent(type: .batchStart, nodeID: node.id, payload: spec.startPayload(count: values.count)),
            CommitEvent(type: .nodeFinish, nodeID: node.id, payload: ["output": spec.scatterOutput(count: values.count)]),
        ]
        // (Found by review: the scatter, its workers, spawners and dynamic nodes were missing from the
        // distributed history; the in-memory engine records each.)
        await recordHistory(run, into: &change, status: .completed, result: NodeResult(output: spec.scatterOutput(count: values.count)))
        let outcome = try await commit(run, change)
        return summary(run.data, outcome)
    }

    /// A `batch-gather` (``BatchGather``): reads the workers' outputs (one round trip after the ids)
    /// and writes the results under its output key; returns them with its `batch:finish` event.
    static func gather(
        _ gather: BatchGather, node: NodeDefinition, state: RedisWorkflowState
    ) async throws -> (NodeResult, CommitEvent) {
        let ids = try await state.get(gather.workerIDsKey)
        let keys = gather.outputKeys(workerIDs: ids)
        let stored = keys.isEmpty ? [:] : try await state.get(keys)
        let results = gather.results(workerIDs: ids) { stored[$0] }
        try await state.set(gather.outputKey, results)
        return (
            NodeResult(output: results),
            CommitEvent(type: .batchFinish, nodeID: node.id, payload: gather.finishPayload(results: results))
        )
    }

    /// The commit of a scatter: its output, the items, the worker ids, and the first window of worker
    /// jobs in place of its routing (stored for the continuation). Without items it routes at once.
    static func batchScatterChange(
        prepared: DistributedBlueprint, data: NodeJobData, item: WorkItem, scatter s: Int, spec: BatchPlan, items: [JSONValue],
        input: JSONValue, state: RedisWorkflowState, options: DistributedOptions
    ) async throws -> RunCommitter.Change {
        let count = items.count
        let result = NodeResult(output: spec.scatterOutput(count: count))
        // Written before the scatter's routing is decided, as in memory.
        try await state.set(spec.workerIDsKey, spec.workerIDs(count: count))
        try await state.set(spec.hasMoreKey, false)
        var change: RunCommitter.Change
        if count == 0 {
            change = try await completionChange(
                prepared: prepared, data: data, item: item, result: result, input: input, state: state, options: options)
        } else {
            change = DynamicNodes.spawnChange(
                plan: prepared.compiled, data: data, item: item, result: result, state: state, options: options)
        }
        guard count > 0 else { return change }
        for (i, value) in items.enumerated() { change.values.append((spec.itemKey(i), value)) }
        let planner = CompletionPlanner(prepared: prepared, runID: data.runID, options: options)
        for i in 0..<spec.window(count: count) {
            change.records.append(planner.batchWorkerRecord(scatter: s, spec: spec, index: i, count: count, iteration: data.iteration))
        }
        return change
    }

    /// The commit of a batch worker: its output, its arrival at the scatter's continuation and the
    /// enqueue of the item one window later.
    static func batchWorkerChange(
        prepared: DistributedBlueprint, data: NodeJobData, scatter s: Int, spec: BatchPlan, output: JSONValue,
        state: RedisWorkflowState, options: DistributedOptions
    ) -> RunCommitter.Change {
        var change = RunCommitter.Change(mode: .complete, instance: data.instance.description)
        let buffered = state.bufferedChanges()
        change.values = buffered.set
        change.deleted = buffered.deleted
        change.writeOrder = state.bufferedWriteOrder()
        change.values.append((ContextKeys.output(of: data.nodeID), output))
        let planner = CompletionPlanner(prepared: prepared, runID: data.runID, options: options)
        change.records.append(DynamicNodes.continuationArrival(
            from: data.nodeID, spawner: spec.scatterID, count: data.batchCount, runID: data.runID,
            blueprintID: data.blueprintID, iteration: data.iteration, fingerprint: prepared.fingerprint))
        let next = data.batchIndex + spec.window(count: data.batchCount)
        if next < data.batchCount {
            change.records.append(planner.batchWorkerRecord(
                scatter: s, spec: spec, index: next, count: data.batchCount, iteration: data.iteration))
        }
        return change
    }

    /// One batch worker job: runs the worker node on its item, then commits its output, its arrival at
    /// the gather and the enqueue of the item one window later, in one script call.
    func processBatchWorker(_ job: Job, data: NodeJobData) async throws -> JSONValue {
        let keys = DistributedKeys(runID: data.runID)
        let scatterID = data.batchOf ?? ""
        let itemKey = ContextKeys.batchItem(scatter: scatterID, index: data.batchIndex)
        let admitted: JobAdmission
        switch try await JobAdmission.read(data, fields: [itemKey], client: client, catalog: catalog) {
        case .run(let admission): admitted = admission
        case .skip(let summary): return summary
        }
        let prepared = admitted.prepared
        let version = admitted.version
        let runExists = admitted.runExists
        let plan = prepared.compiled
        guard let s = plan.nodeIndex[scatterID], plan.builtins[s] == .batchScatter,
            let spec = BatchPlan(scatter: plan.nodes[s]), spec.workerID(data.batchIndex) == data.nodeID,
            plan.nodeIndex[spec.gatherID] != nil
        else {
            throw JobRefusal("blueprint '\(data.blueprintID)' has no batch worker '\(data.nodeID)' of '\(scatterID)'")
        }
        let input = admitted.values.first.flatMap { $0 } ?? .null
        let state = RedisWorkflowState(runID: data.runID, client: client, mode: .buffered)
        var run = RunContext(
            data: data, prepared: prepared, version: version, state: state, input: input, item: .node(s),
            runExists: runExists)
        startHistory(&run, job: job)
        let scatter = plan.nodes[s]
        let events = EventEmitter(handler: options.eventHandler, runID: data.runID, blueprintID: plan.id)
        await emitStart(events, nodeID: data.nodeID, input: input, job: job)
        guard let implementation = registry.implementation(for: spec.workerUses) else {
            let message = "no implementation registered for '\(spec.workerUses)'"
            return try await failRun(run, reason: "node '\(data.nodeID)': \(message)", fatal: true, unreportedError: message)
        }
        // Batch workers run with the scatter node's retry and timeout settings (``BatchPlan``) and
        // its fallback.
        guard
            let outcome = try await runAttempts(
                implementation, config: spec.worker(data.batchIndex, of: scatter).config, nodeID: data.nodeID, params: [:], input: input,
                blueprintID: plan.id, data: data, state: state, keys: keys, job: job, events: attemptEvents(run, forwarding: events))
        else {
            return ["skipped": "run cancelled or finished while the node ran"]
        }
        /// Attempt `attempt` succeeded with `result`.
        func succeed(_ result: NodeResult, attempt: Int) async throws -> JSONValue {
            // Held to the size limits as any node's output is (the in-memory engine's rule): a
            // worker's oversized output was stored, and the gather failed on it instead.
            if let failed = try await failRunOverSizeLimits(run, output: result.output, nodeID: data.nodeID, attempt: attempt) {
                return failed
            }
            var change = Self.batchWorkerChange(
                prepared: prepared, data: data, scatter: s, spec: spec, output: result.output, state: state, options: options)
            if options.eventHandler != nil {
                change.events = [Self.finishEvent(data.nodeID, result)]
            }
            await recordHistory(run, into: &change, status: .completed, result: result)
            return summary(data, try await commit(run, change))
        }
        switch outcome {
        case .success(let result):
            return try await succeed(result, attempt: 1)
        case .laterSuccess(let result, let attempt):
            return try await succeed(result, attempt: attempt)
        case .failure(let message, let attempts, let fatal):
            let reason = "node '\(data.nodeID)' failed after \(attempts) attempt\(attempts == 1 ? "" : "s"): \(message)"
            return try await failRun(run, reason: reason, fatal: fatal, attempts: attempts)
        case .cancelled, .suspendedSubflow:
            throw CancellationError()
        }
    }
}

import Flowcraft

/// The jobs of dynamic nodes (``DynamicNodes``): the spawner's commit, each dynamic node's job, and
/// the continuation that routes from the spawner once they all committed.
extension NodeJobExecutor {
    /// A node returned dynamic nodes: validates them, then commits its output, the record and their
    /// jobs in place of its routing.
    func spawnDynamicNodes(_ run: RunContext, result: NodeResult) async throws -> JSONValue {
        let plan = run.prepared.compiled
        if let problem = DynamicNodes.problem(with: result.dynamicNodes, spawner: run.data.nodeID, plan: plan) {
            return try await failRun(run, reason: "node '\(run.data.nodeID)' \(problem)", fatal: true, unreportedError: problem)
        }
        var change = DynamicNodes.spawnChange(
            plan: plan, data: run.data, item: run.item, result: result, state: run.state, options: options)
        change.events.append(Self.finishEvent(run.data.nodeID, result))
        await recordHistory(run, into: &change, status: .completed, result: result)
        return summary(run.data, try await commit(run, change))
    }

    /// A job of a dynamic node or of a continuation.
    func processDynamic(_ job: Job, data: NodeJobData) async throws -> JSONValue {
        if data.afterDynamic { return try await processContinuation(data) }
        guard let node = data.dynamicNode, let spawnerID = data.dynamicOf else {
            throw UnrecoverableJobError("job data of dynamic node '\(data.nodeID)' lacks its definition")
        }
        let keys = DistributedKeys(runID: data.runID)
        let inputPlan = NodeInputPlan(node: node)
        let admitted: JobAdmission
        switch try await JobAdmission.read(data, fields: inputPlan.keys, client: client, catalog: catalog) {
        case .run(let admission): admitted = admission
        case .skip(let summary): return summary
        }
        let prepared = admitted.prepared
        let version = admitted.version
        guard let s = prepared.compiled.nodeIndex[spawnerID] else {
            throw JobRefusal(
                "blueprint '\(data.blueprintID)' has no node '\(spawnerID)' (the spawner of dynamic node '\(node.id)')")
        }
        var prefetched: [String: JSONValue?] = [:]
        for (key, value) in zip(inputPlan.keys, admitted.values) { prefetched[key] = .some(value) }
        let state = RedisWorkflowState(runID: data.runID, client: client, mode: .buffered, prefetched: prefetched)
        let input = inputPlan.resolve(try await state.get(inputPlan.keys))
        var run = RunContext(
            data: data, prepared: prepared, version: version, state: state, input: input, item: .node(s),
            runExists: admitted.runExists)
        startHistory(&run, job: job)
        let events = EventEmitter(handler: options.eventHandler, runID: data.runID, blueprintID: prepared.compiled.id)
        await emitStart(events, nodeID: node.id, input: input, job: job)
        guard let implementation = registry.implementation(for: node.uses) else {
            // As in memory: a dynamic node runs a registered implementation, never a built-in.
            let message = BuiltinNode(rawValue: node.uses) != nil
                ? "built-in '\(node.uses)' cannot run as a dynamic node (dynamic nodes run registered implementations only)"
                : "no implementation registered for '\(node.uses)'"
            return try await failRun(run, reason: "node '\(node.id)': \(message)", fatal: true, unreportedError: message)
        }
        guard
            let outcome = try await runAttempts(
                implementation, config: node.config, nodeID: node.id, params: node.params, input: input,
                blueprintID: prepared.compiled.id, data: data, state: state, keys: keys, job: job,
                events: attemptEvents(run, forwarding: events))
        else {
            return ["skipped": "run cancelled or finished while the node ran"]
        }
        /// Attempt `attempt` succeeded with `result`.
        func succeed(_ result: NodeResult, attempt: Int) async throws -> JSONValue {
            // Held to the size limits as any node's output is (the in-memory engine's rule: the
            // oversized output was stored).
            if let failed = try await failRunOverSizeLimits(run, output: result.output, nodeID: node.id, attempt: attempt) {
                return failed
            }
            // As in memory, dynamic nodes returned by a dynamic node are not run.
            var change = DynamicNodes.nodeChange(data: data, output: result.output, state: state)
            if options.eventHandler != nil {
                change.events.append(Self.finishEvent(node.id, result))
            }
            change.eventNodeID = node.id
            await recordHistory(run, into: &change, status: .completed, result: result)
            return summary(data, try await commit(run, change))
        }
        switch outcome {
        case .success(let result):
            return try await succeed(result, attempt: 1)
        case .laterSuccess(let result, let attempt):
            return try await succeed(result, attempt: attempt)
        case .failure(let message, let attempts, let fatal):
            // Dynamic nodes have no fallback: the run fails, as in memory.
            let reason = "node '\(node.id)' failed after \(attempts) attempt\(attempts == 1 ? "" : "s"): \(message)"
            return try await failRun(run, reason: reason, fatal: fatal, attempts: attempts)
        case .cancelled, .suspendedSubflow:
            throw CancellationError()
        }
    }

    /// The continuation: the spawner (a node that returned dynamic nodes, or a batch scatter) routes
    /// with its stored action and output.
    private func processContinuation(_ data: NodeJobData) async throws -> JSONValue {
        let recordKey = DynamicNodes.recordKey(spawner: data.nodeID, iteration: data.iteration)
        let admitted: JobAdmission
        switch try await JobAdmission.read(data, fields: [recordKey], client: client, catalog: catalog) {
        case .run(let admission): admitted = admission
        case .skip(let summary): return summary
        }
        let prepared = admitted.prepared
        let version = admitted.version
        let plan = prepared.compiled
        guard let s = plan.nodeIndex[data.nodeID] else {
            throw JobRefusal("blueprint '\(data.blueprintID)' has no node '\(data.nodeID)'")
        }
        let stored = admitted.values.first.flatMap { $0 }
        let record = stored.flatMap(DynamicNodes.Record.init(json:))
        // A batch worker's job does not carry its scatter's fallback role: the record does.
        var item = WorkItem.node(s)
        if let failed = data.fallbackFor ?? record?.fallbackFor {
            guard let m = plan.nodeIndex[failed], plan.fallbacks[m] == s else {
                throw JobRefusal("node '\(data.nodeID)' is not the fallback of '\(failed)'")
            }
            item = .fallback(node: m, fallback: s)
        }
        let state = RedisWorkflowState(runID: data.runID, client: client, mode: .buffered, prefetched: [recordKey: stored])
        let run = RunContext(
            data: data, prepared: prepared, version: version, state: state, input: .null, item: item,
            runExists: admitted.runExists)
        guard let record else {
            let message = "the record of its dynamic nodes or batch ('\(recordKey)') is missing or unreadable"
            return try await failRun(run, reason: "node '\(data.nodeID)': \(message)", fatal: true, unreportedError: message)
        }
        let change = try await DynamicNodes.continuationChange(
            prepared: prepared, data: data, item: item, record: record, state: state, options: options)
        return summary(data, try await commit(run, change))
    }
}

/// Drives one run of one blueprint: takes ready items from the `RunScheduler`, runs built-ins
/// inline and node attempts as tasks in a sliding window, writes outputs and inputs into the
/// context, and reports the result.
///
/// Confined to the task that calls `start`/`resume`/`wakeDueSleeps` (never shared), so it needs no
/// locking; node tasks only touch `Sendable` values and the mutex-protected state.
final class RunDriver {
    let runtime: FlowRuntime
    let plan: CompiledBlueprint
    let runID: String
    let state: InMemoryWorkflowState
    var scheduler: RunScheduler
    var children: [String: RunSnapshot]
    let depth: Int
    let events: EventEmitter?
    /// The run's history (when the runtime has ``FlowRuntime/Options/history``): held inline (no
    /// object of its own per run). Touched on every node execution, only by the run's task and never
    /// by overlapping accesses: no dynamic exclusivity check.
    @exclusivity(unchecked) var history: RunHistoryLog?
    /// Whether ``history`` is set (tested without copying it).
    let recordsHistory: Bool
    private var errors: [WorkflowError] = []
    private var failed = false
    private var cancelled = false
    /// Inputs of in-flight nodes that have a fallback, handed to the fallback if they fail.
    private var fallbackInputs: [Int: JSONValue] = [:]
    /// Items that failed the run, and items stopped by that failure before they completed: what a
    /// redrive runs again (``RedriveRules``).
    private var failedItems: [WorkItem] = []
    private var interruptedItems: [WorkItem] = []
    /// Redrives of this run so far.
    private var redriveCount = 0
    /// Whether the plan has loops (executions are numbered by ``IterationNumbering`` then).
    private let hasLoops: Bool

    init(
        runtime: FlowRuntime, plan: CompiledBlueprint, runID: String, context: [String: JSONValue],
        scheduler: RunScheduler, children: [String: RunSnapshot], depth: Int, parent: (runID: String, nodeID: String)? = nil,
        historyPosition: RunHistoryPosition? = nil
    ) {
        self.runtime = runtime
        self.plan = plan
        self.runID = runID
        self.state = InMemoryWorkflowState(
            context, capacity: context.count + 2 * plan.nodes.count,
            countingBytes: runtime.sizeLimits.maximumRunContextBytes != nil)
        self.scheduler = scheduler
        self.children = children
        self.depth = depth
        self.events = EventEmitter(handler: runtime.eventHandler, runID: runID, blueprintID: plan.id)
        if let delivery = runtime.historyDelivery {
            self.history = RunHistoryLog(
                delivery: delivery, state: state, batchSize: runtime.options.historyBatchSize, clock: runtime.clock,
                clockIsSystem: runtime.clockIsSystem, runID: runID, plan: plan,
                position: historyPosition
                    ?? RunHistoryPosition(
                        startedAt: runtime.historyNow(), nextSequence: 1, parentRunID: parent?.runID,
                        parentNodeID: parent?.nodeID))
        } else {
            self.history = nil
        }
        self.recordsHistory = runtime.historyDelivery != nil
        self.hasLoops = plan.loops.maxDepth > 0
    }

    convenience init(runtime: FlowRuntime, snapshot: RunSnapshot) throws(FlowRuntimeError) {
        guard let plan = runtime.plans[snapshot.blueprintID] else {
            throw .incompatibleSnapshot("blueprint '\(snapshot.blueprintID)' is not loaded")
        }
        self.init(
            runtime: runtime, plan: plan, runID: snapshot.runID, context: snapshot.context,
            scheduler: snapshot.scheduler, children: snapshot.children, depth: snapshot.depth,
            historyPosition: snapshot.history)
    }

    // MARK: - Entry points

    func start() async -> WorkflowResult {
        events?.emit(.workflowStart)
        history?.started(context: visibleContextCopy())
        await drive()
        return finish()
    }

    /// The visible context as a dictionary of its own: sharing the state's storage (reserved for the
    /// whole run) would make the state's first write copy all of it.
    private func visibleContextCopy() -> [String: JSONValue] {
        let current = state.dictionary
        guard !current.isEmpty else { return [:] }
        var copy = [String: JSONValue](minimumCapacity: current.count)
        for (key, value) in current where !ContextKeys.isInternal(key) { copy[key] = value }
        return copy
    }

    /// Redrives a failed run (see `FlowRuntime.redrive`): the items `state` lists run again, everything
    /// else the run did is kept.
    func redrive(_ state: RedriveState) async -> WorkflowResult {
        history?.forgetLastReading()
        redriveCount = state.redriveCount + 1
        let ids = state.items.map(nodeID(of:))
        let nodes = ids.first.map {
            RedriveRules.rerunNodeIDs(failed: $0, others: Array(ids.dropFirst()) + scheduler.readyItems.map(nodeID(of:)))
        } ?? []
        events?.emit(.workflowResume, ["redrive": .int(redriveCount), "nodes": .array(nodes.map { .string($0) })])
        scheduler.redrive(state.items)
        history?.redriven(nodes, count: redriveCount)
        await drive()
        return finish()
    }

    /// Resumes one paused node (see `FlowRuntime.resume`); `nil` when there is no such node.
    func resume(nodeID: String?, action: String?, output: JSONValue) async -> WorkflowResult? {
        guard let target = pickAwaiting(nodeID: nodeID), let paused = scheduler.resume(nodeID: target.nodeID) else {
            return nil
        }
        events?.emit(.workflowResume, nodeID: paused.nodeID)
        history?.forgetLastReading()
        history?.append(.resumed(nodeID: paused.nodeID, action: action))
        switch paused.reason {
        case .wait, .sleep:
            succeed(paused.item, NodeResult(output: output, action: action))
        case .subflow:
            let innerNodeID = nodeID == paused.nodeID ? nil : nodeID
            guard let (call, child) = childDriver(for: paused),
                let childResult = await child.resume(nodeID: innerNodeID, action: action, output: output)
            else {
                scheduler.suspend(paused.item, nodeID: paused.nodeID, reason: .subflow)
                return nil
            }
            handle(paused.item, call.finish(childResult, nodeID: paused.nodeID), stamp: call.stamp)
        }
        await drive()
        return finish()
    }

    /// Why `resume(nodeID:action:output:)` must be refused: the `wait` node it reaches (here or in a
    /// paused subflow) has no edge for `action` and no default edge (`RoutingRules`); `nil` otherwise.
    func resumeRefusal(nodeID: String?, action: String?) -> String? {
        guard let target = pickAwaiting(nodeID: nodeID) else { return nil }
        switch target.reason {
        case .wait:
            let routed: Int
            switch target.item {
            case .node(let n), .fallback(let n, _): routed = n
            case .worker: return nil
            }
            guard RoutingRules.failsUnrouted(plan, node: routed, action: action) else { return nil }
            return RoutingRules.unroutedMessage(plan, node: routed, action: action)
        case .subflow:
            guard let snapshot = children[target.nodeID], let child = try? RunDriver(runtime: runtime, snapshot: snapshot)
            else { return nil }
            return child.resumeRefusal(nodeID: nodeID == target.nodeID ? nil : nodeID, action: action)
        case .sleep:
            return nil
        }
    }

    /// Completes every sleep that is due (here and in paused subflows), then continues the run.
    func wakeDueSleeps() async -> WorkflowResult {
        events?.emit(.workflowResume)
        history?.forgetLastReading()
        let now = runtime.clock.now()
        for item in scheduler.awaiting {
            switch item.reason {
            case .sleep(let wakeAt) where wakeAt <= now:
                if let paused = scheduler.resume(nodeID: item.nodeID) {
                    history?.append(.resumed(nodeID: paused.nodeID, action: nil))
                    succeed(paused.item, NodeResult(output: sleepInput(of: paused.item)))
                }
            case .subflow:
                guard let snapshot = children[item.nodeID], let due = FlowRuntime.earliestWake(snapshot), due <= now,
                    let paused = scheduler.resume(nodeID: item.nodeID)
                else { continue }
                history?.append(.resumed(nodeID: paused.nodeID, action: nil))
                guard let (call, child) = childDriver(for: paused) else { continue }
                let childResult = await child.wakeDueSleeps()
                handle(paused.item, call.finish(childResult, nodeID: paused.nodeID), stamp: call.stamp)
            default:
                continue
            }
        }
        await drive()
        return finish()
    }

    // MARK: - The loop

    private func drive() async {
        // While at most one item is ready and nothing runs, run on this task: no task group and no
        // child task per node (chains and small runs).
        while !failed, !cancelled, scheduler.readyCount == 1 {
            if Task.isCancelled {
                cancelled = true
                return
            }
            guard let item = scheduler.takeReady() else { break }
            if let job = prepare(item) { handle(item, await job.execute(), stamp: job.stamp) }
        }
        guard !failed, !cancelled, scheduler.readyCount > 0 else { return }
        let limit = runtime.concurrency
        // Concurrent nodes run on at most `limit` worker tasks of one group (``NodeJobPool``), not
        // a child task each.
        let pool = NodeJobPool()
        await withDiscardingTaskGroup { group in
            var running = 0
            var workers = 0
            var completions: [NodeJobPool.Completion] = []
            while true {
                if !failed && !cancelled && Task.isCancelled { cancelled = true }
                if failed || cancelled {
                    group.cancelAll()
                } else {
                    while running < limit, !failed, !Task.isCancelled, let item = scheduler.takeReady() {
                        guard let job = prepare(item) else { continue }
                        if running == 0 && scheduler.readyCount == 0 {
                            // The only runnable item: run it on this task, saving a hand-over per
                            // node on chains. It still sees the run's cancellation.
                            handle(item, await job.execute(), stamp: job.stamp)
                            continue
                        }
                        running += 1
                        if pool.submit(.init(item: item, job: consume job)) && workers < limit {
                            workers += 1
                            group.addTask { await pool.work() }
                        }
                    }
                    if Task.isCancelled { continue }
                }
                if running == 0 { break }
                await pool.completions(into: &completions)
                running -= completions.count
                for (i, completion) in completions.enumerated() {
                    // Taken at once: the batch's completions end at one clock reading.
                    handle(completion.item, completion.outcome, stamp: completion.stamp, afterWaiting: i == 0)
                }
                // Released now (their outputs and contexts).
                completions.removeAll(keepingCapacity: true)
            }
            pool.close()
        }
    }

    /// Applies a node's outcome; `stamp` is its place in the history (when history is recorded).
    /// `afterWaiting`: the run waited for it (the first of a batch of completions taken at once).
    private func handle(
        _ item: WorkItem, _ outcome: JobOutcome, stamp: ExecutionStamp? = nil, afterWaiting: Bool = true
    ) {
        // After a wait (or an event handler, which may take its time) the execution ends at a fresh
        // clock reading, which the bookkeeping that follows shares (a chain's next node is prepared
        // when this one ended; a batch's other completions end then too).
        if afterWaiting || events != nil { history?.forgetLastReading() }
        history?.activeStamp = stamp
        defer { history?.activeStamp = nil }
        switch outcome {
        case .success(let result):
            accept(item, result, attempt: 1)
        case .laterSuccess(let result, let attempt):
            accept(item, result, attempt: attempt)
        case .failure(let message, let attempts, let fatal):
            // Reported as `node:error` where it happened: by the attempt loop, or the subflow call.
            failItem(item, message: message, attempts: attempts, fatal: fatal, reported: true)
        case .cancelled:
            // Stopped by the run's failure: a redrive runs it again.
            if failed { interruptedItems.append(item) } else { cancelled = true }
        case .suspendedSubflow(let snapshot):
            let id = nodeID(of: item)
            children[id] = snapshot
            scheduler.suspend(item, nodeID: id, reason: .subflow)
        }
    }

    /// `item`'s successful `attempt`: a limit its output breaks fails that attempt, else it succeeds.
    private func accept(_ item: WorkItem, _ result: NodeResult, attempt: Int) {
        // Nesting as the distributed engine refuses it (whose store could not give it back).
        let id = nodeID(of: item)
        if let violation = SizeLimits.checkNesting(result.output, nodeID: id)
            ?? runtime.sizeLimits.checkOutput(result.output, nodeID: id)
            ?? runContextViolation(item, output: result.output)
        {
            failItem(item, message: violation.message, attempts: attempt, fatal: true)
            return
        }
        succeed(item, result)
    }

    /// The ``SizeLimits/maximumRunContextBytes`` violation of `item`'s completion: the run's context
    /// (with the node's own writes, already made) once its output is stored. Counted only when the
    /// limit is set.
    private func runContextViolation(_ item: WorkItem, output: JSONValue) -> SizeLimitViolation? {
        guard runtime.sizeLimits.maximumRunContextBytes != nil else { return nil }
        let id = nodeID(of: item)
        var outputs: [String: JSONValue] = [:]
        for key in ContextKeys.outputKeys(of: item, nodeID: id, in: plan) { outputs[key] = output }
        // (The state keeps a running total when the limit is set: see `init`.)
        guard let total = state.byteCount(replacing: outputs) else { return nil }
        return runtime.sizeLimits.checkRunContext(total: total, nodeID: id)
    }

    // MARK: - Preparing nodes

    /// Resolves the item's input and starts it: built-ins that need no task run here (returns nil);
    /// others become a job.
    private func prepare(_ item: WorkItem) -> NodeJob? {
        let def: NodeDefinition
        var index: Int?
        switch item {
        case .node(let n):
            def = plan.nodes[n]
            index = n
        case .fallback(_, let f):
            def = plan.nodes[f]
            index = f
        case .worker(let owner, let slot):
            guard let worker = scheduler.worker(owner: owner, slot: slot) else {
                failItem(item, message: "dynamic worker \(slot) of '\(plan.nodes[owner].id)' is missing", attempts: 0, fatal: true)
                return nil
            }
            def = worker
        }
        let input: JSONValue
        if case .fallback(let n, _) = item {
            // A fallback runs with the failed node's input (resolved again when redriven).
            input = fallbackInputs.removeValue(forKey: n) ?? resolveInput(plan.nodes[n])
        } else {
            input = resolveInput(def)
        }
        if case .node(let n) = item, plan.fallbacks[n] != nil { fallbackInputs[n] = input }
        if let events {
            events.emit(.nodeStart, nodeID: def.id, ["input": input, "attempt": 1])
            // An event handler may take its time: the execution starts after it.
            history?.forgetLastReading()
        }
        let iteration = iteration(of: item)
        let stamp = history?.makeStamp(iteration: iteration)

        if let n = index, let builtin = plan.builtins[n] {
            history?.activeStamp = stamp
            defer { history?.activeStamp = nil }
            // A built-in's work (a scatter's items, a gather's results) may take its time: it ends
            // at a reading of its own.
            history?.forgetLastReading()
            return runBuiltin(builtin, item, def, index: n, input: input, iteration: iteration, stamp: stamp)
        }
        guard let implementation = runtime.registry.implementation(for: def.uses) else {
            history?.activeStamp = stamp
            failItem(item, message: "no implementation is registered for uses '\(def.uses)'", attempts: 0, fatal: true)
            return nil
        }
        let maxAttempts = max(1, def.config.maxRetries ?? 1)
        return NodeJob(
            body: .implementation(implementation), context: makeContext(def, input, stamp: stamp),
            maxAttempts: maxAttempts, retryDelay: max(0, def.config.retryDelay ?? 0),
            timeout: def.config.timeout, runtime: runtime, events: events, stamp: stamp)
    }

    private func resolveInput(_ def: NodeDefinition) -> JSONValue {
        if let inputs = def.inputs {
            return InputResolution.resolve(inputs) { state.value(forKey: $0) }
        }
        return state.value(forKey: ContextKeys.input(of: def.id)) ?? .null
    }

    /// The input of a paused `sleep` when it wakes, resolved then (as the distributed engine resolves
    /// it when its delayed job runs): a sleep passes its input on. A fallback sleeps on the failed
    /// node's input.
    private func sleepInput(of item: WorkItem) -> JSONValue {
        switch item {
        case .node(let n), .fallback(let n, _): return resolveInput(plan.nodes[n])
        case .worker: return .null
        }
    }

    private func makeContext(_ def: NodeDefinition, _ input: JSONValue, stamp: ExecutionStamp?) -> NodeContext {
        var nodeState: any WorkflowState
        if let events {
            let id = def.id
            nodeState = ObservedWorkflowState(base: state, token: stamp?.token) { key, value in
                events.contextChange(by: id, key: key, value: value)
            }
        } else if let stamp {
            nodeState = ReportingWorkflowState(base: state, token: stamp.token)
        } else {
            nodeState = state
        }
        if runtime.sizeLimits.maximumValueBytes != nil {
            nodeState = SizeLimitedWorkflowState(base: nodeState, limits: runtime.sizeLimits, nodeID: def.id)
        }
        return NodeContext(
            runID: runID, blueprintID: plan.id, nodeID: def.id, input: input, params: def.params, attempt: 1,
            state: nodeState, logger: runtime.logger, dependencies: runtime.dependencies,
            batchItemIndex: ContextKeys.batchItemIndex(readBy: def.inputs))
    }

    // MARK: - Built-ins

    /// Applies what the built-in does (``BuiltinStep``): only a subflow becomes a job.
    private func runBuiltin(
        _ builtin: BuiltinNode, _ item: WorkItem, _ def: NodeDefinition, index n: Int, input: JSONValue,
        iteration: Int, stamp: ExecutionStamp?
    ) -> NodeJob? {
        switch BuiltinStep.decide(builtin, node: def, input: input) {
        case .sleep(let ms) where ms == 0:
            // A sleep passes its input on.
            succeed(item, NodeResult(output: input))
        case .sleep(let ms):
            // Saturating: a `duration` near Int64.max sleeps until the end of time, not a crash.
            let (wakeAt, overflow) = runtime.clock.now().addingReportingOverflow(ms)
            scheduler.suspend(item, nodeID: def.id, reason: .sleep(wakeAt: overflow ? .max : wakeAt))
        case .wait:
            scheduler.suspend(item, nodeID: def.id, reason: .wait)
        case .loopController:
            runLoopController(item, def, index: n)
        case .scatter(let batch, let items):
            scatter(item, def, batch: batch, items: items)
        case .gather(let gather):
            self.gather(item, def, gather)
        case .subflow(let blueprintID, _):
            guard let child = runtime.plans[blueprintID] else {
                failItem(item, message: SubflowMapping.notLoadedMessage(def.params), attempts: 1, fatal: true)
                return nil
            }
            let call = SubflowCall(
                runtime: runtime, plan: child, childRunID: SubflowRunID.child(of: runID, nodeID: def.id, iteration: iteration),
                params: def.params, parentState: state, events: events, depth: depth, stamp: stamp)
            return NodeJob(
                body: .subflow(call), context: makeContext(def, input, stamp: stamp), maxAttempts: 1, retryDelay: 0,
                timeout: nil, runtime: runtime, events: events, stamp: stamp)
        case .fail(let message):
            failItem(item, message: message, attempts: 1, fatal: true)
        }
        return nil
    }

    private func runLoopController(_ item: WorkItem, _ def: NodeDefinition, index n: Int) {
        let cap = LoopControllerStep.cap(of: def, default: runtime.maximumLoopIterations)
        let holds = plan.loopConditions[n]?.evaluate(in: LoopConditionScope(context: state)).isTruthy ?? false
        guard holds else {
            let iterations = scheduler.iterationCount(ofLoop: n)
            scheduler.endLoop(n)
            succeed(item, LoopControllerStep.breakResult(iterations: iterations))
            return
        }
        switch LoopControllerStep.continueResult(iteration: scheduler.recordIteration(ofLoop: n), cap: cap) {
        case .success(let result): succeed(item, result)
        case .failure(let error): failItem(item, message: error.message, attempts: 1, fatal: true)
        }
    }

    /// A `batch-scatter` (``BatchPlan``): stores the items and the worker ids, then hands the
    /// workers to the scheduler as a batch that routes the scatter once they finished.
    private func scatter(_ item: WorkItem, _ def: NodeDefinition, batch: BatchPlan, items values: [JSONValue]) {
        var workers: [NodeDefinition] = []
        workers.reserveCapacity(values.count)
        for (i, value) in values.enumerated() {
            state.setValue(value, forKey: batch.itemKey(i))
            workers.append(batch.worker(i, of: def))
        }
        write(batch.workerIDsKey, batch.workerIDs(count: values.count), by: def.id)
        write(batch.hasMoreKey, false, by: def.id)
        events?.emit(.batchStart, nodeID: def.id, batch.startPayload(count: values.count))
        let output = batch.scatterOutput(count: values.count)
        // A fallback scatter's output lands under the failed node too (it takes over).
        writeOutputs(output, of: item, nodeID: def.id)
        events?.emit(.nodeFinish, nodeID: def.id, ["output": output])
        let outcome = scheduler.startBatch(
            item, workers: workers, chunkSize: batch.window(count: values.count), action: nil, output: output, in: plan,
            condition: { evaluateCondition($0, output: output, action: nil) })
        apply(outcome, direct: item, output: output)
        history?.finished(
            item, nodeID: def.id, iteration: executionIteration(of: item), status: .completed, output: output, wroteOutputs: true,
            replacedNodeID: ContextKeys.replacedNodeID(of: item, in: plan))
    }

    /// A `batch-gather` (``BatchGather``): the workers' outputs in item order.
    private func gather(_ item: WorkItem, _ def: NodeDefinition, _ gather: BatchGather) {
        let results = gather.results(workerIDs: state.value(forKey: gather.workerIDsKey), value: state.value(forKey:))
        write(gather.outputKey, results, by: def.id)
        events?.emit(.batchFinish, nodeID: def.id, gather.finishPayload(results: results))
        succeed(item, NodeResult(output: results))
    }

    private func childDriver(for paused: AwaitingItem) -> (SubflowCall, RunDriver)? {
        guard let n = paused.item.executedNode, let blueprintID = SubflowMapping.blueprintID(of: plan.nodes[n].params),
            let childPlan = runtime.plans[blueprintID], let snapshot = children.removeValue(forKey: paused.nodeID),
            let child = try? RunDriver(runtime: runtime, snapshot: snapshot)
        else { return nil }
        let call = SubflowCall(
            runtime: runtime, plan: childPlan, childRunID: child.runID, params: plan.nodes[n].params, parentState: state,
            events: events, depth: depth, stamp: history?.makeStamp(iteration: iteration(of: paused.item)))
        return (call, child)
    }

    // MARK: - Completions

    private func succeed(_ item: WorkItem, _ result: NodeResult) {
        let id = nodeID(of: item)
        // Written before routing: conditions and transforms see the node's own output.
        writeOutputs(result.output, of: item, nodeID: id)
        if let events {
            var payload: [String: JSONValue] = ["output": result.output]
            if let action = result.action { payload["action"] = .string(action) }
            events.emit(.nodeFinish, nodeID: id, payload)
        }
        // A worker's completion routes its batch's owner (when it is the last worker), with the
        // owner's own output and action: the worker's result decides nothing.
        let routing: BatchRouting
        if case .worker(let owner, _) = item, let owned = scheduler.batchRouting(owner: owner) {
            routing = owned
        } else {
            routing = BatchRouting(item: item, output: result.output, action: result.action)
        }
        let condition = { (e: Int) in self.evaluateCondition(e, output: routing.output, action: routing.action) }
        let outcome: RoutingOutcome
        if !result.dynamicNodes.isEmpty {
            outcome = scheduler.startBatch(
                item, workers: result.dynamicNodes, chunkSize: result.dynamicNodes.count, action: result.action,
                output: result.output, in: plan, condition: condition)
        } else {
            outcome = scheduler.complete(item, action: result.action, in: plan, condition: condition)
        }
        apply(outcome, direct: routing.item, output: routing.output)
        if recordsHistory {
            let iteration = executionIteration(of: item)
            history?.finished(
                item, nodeID: id, iteration: iteration, status: .completed, action: result.action, output: result.output,
                wroteOutputs: true, replacedNodeID: ContextKeys.replacedNodeID(of: item, in: plan),
                childRunID: childRunID(of: item, nodeID: id, iteration: iteration))
        }
    }

    /// The child run of a subflow `item` in `iteration` (``SubflowRunID``); `nil` for other items.
    private func childRunID(of item: WorkItem, nodeID id: String, iteration: Int) -> String? {
        guard let n = item.executedNode, case .subflow? = plan.builtins[n] else { return nil }
        return SubflowRunID.child(of: runID, nodeID: id, iteration: iteration)
    }

    /// The loop iteration of an execution of `item` prepared now (``IterationNumbering``, from the
    /// rounds the scheduler counted; 0 without loops).
    private func iteration(of item: WorkItem) -> Int {
        guard hasLoops else { return 0 }
        let n: Int
        switch item {
        case .node(let i), .fallback(let i, _): n = i
        case .worker(let owner, _): n = owner
        }
        return IterationNumbering(plan).iteration(ofNode: n, rounds: scheduler.iterationCount(ofLoop:))
    }

    /// The loop iteration of the execution being recorded: its stamp's (set when it was prepared),
    /// or the current one (a resumed sleep or wait has no stamp).
    private func executionIteration(of item: WorkItem) -> Int {
        history?.activeStamp?.iteration ?? iteration(of: item)
    }

    /// `item`'s execution failed with `message`: its fallback takes over, or the run fails. A failure
    /// not `reported` as `node:error` yet (one no attempt made: a built-in's, a limit's) is reported
    /// here, so every failed execution has one.
    private func failItem(_ item: WorkItem, message: String, attempts: Int, fatal: Bool, reported: Bool = false) {
        let id = nodeID(of: item)
        if !reported {
            events?.emit(
                .nodeError, nodeID: id, NodeAttemptLoop.errorPayload(message: message, attempt: max(1, attempts), willRetry: false))
        }
        if let fallback = scheduler.fail(item, in: plan, allowFallback: !fatal), case .fallback(_, let f) = fallback {
            events?.emit(.nodeFallback, nodeID: id, ["fallback": .string(plan.nodes[f].id), "error": .string(message)])
            if recordsHistory {
                let iteration = executionIteration(of: item)
                history?.finished(
                    item, nodeID: id, iteration: iteration, status: .recovered, fallbackNodeID: plan.nodes[f].id,
                    childRunID: childRunID(of: item, nodeID: id, iteration: iteration), error: message,
                    location: location(of: item))
            }
            return
        }
        if recordsHistory {
            let iteration = executionIteration(of: item)
            history?.finished(
                item, nodeID: id, iteration: iteration, status: .failed,
                childRunID: childRunID(of: item, nodeID: id, iteration: iteration), error: message,
                location: location(of: item))
        }
        if case .node(let n) = item { fallbackInputs[n] = nil }
        failed = true
        failedItems.append(item)
        errors.append(
            WorkflowError(
                blueprintID: plan.id, nodeID: id, location: location(of: item), message: message, attempts: attempts,
                isFatal: fatal))
    }

    /// An action no edge routes fails the run (`RoutingRules`).
    private func failUnrouted(_ unrouted: UnroutedAction) {
        let node = plan.nodes[unrouted.node]
        failed = true
        errors.append(
            WorkflowError(
                blueprintID: plan.id, nodeID: node.id, location: node.location,
                message: RoutingRules.unroutedMessage(plan, node: unrouted.node, action: unrouted.action), attempts: 1,
                isFatal: true))
    }

    /// Writes the inputs of targets reached by taken edges (see `CompiledBlueprint.writesTargetInput`)
    /// and reports skipped nodes.
    private func apply(_ outcome: RoutingOutcome, direct item: WorkItem, output: JSONValue) {
        if let unrouted = outcome.unrouted { failUnrouted(unrouted) }
        for e in outcome.takenEdges where plan.writesTargetInput(edge: e) {
            let edge = plan.edges[e]
            let target = edge.target
            let sourceOutput = self.output(of: edge.source, direct: item, output: output)
            var value = sourceOutput
            if let transform = edge.transform {
                value = transform.evaluate(in: EdgeTransformScope(input: sourceOutput, context: state))
            }
            write(ContextKeys.input(of: plan.nodes[target].id), value, by: plan.nodes[edge.source].id)
        }
        if let events {
            for s in outcome.skipped { events.emit(.nodeSkipped, nodeID: plan.nodes[s].id, ["reason": "dead path"]) }
        }
    }

    private func evaluateCondition(_ e: Int, output: JSONValue, action: String?) -> Bool {
        let edge = plan.edges[e]
        guard let condition = edge.condition else { return true }
        let holds = condition.evaluate(in: EdgeConditionScope(output: output, action: action, context: state)).isTruthy
        events?.emit(
            .edgeEvaluate, nodeID: plan.nodes[edge.source].id,
            ["source": .string(plan.nodes[edge.source].id), "target": .string(plan.nodes[edge.target].id),
             "condition": .string(condition.text), "result": .bool(holds)])
        return holds
    }

    private func output(of source: Int, direct item: WorkItem, output: JSONValue) -> JSONValue {
        switch item {
        case .node(let n) where n == source: return output
        case .fallback(let n, let f) where n == source || f == source: return output
        default: return state.value(forKey: ContextKeys.output(of: plan.nodes[source].id)) ?? .null
        }
    }

    /// Writes a completion's `output` under its output keys (``ContextKeys/outputKeys(of:nodeID:in:)``,
    /// without building the list). The run's history does not note these writes: the completion's
    /// record says it made them (`wroteOutputs`), and the history derives them from its output.
    private func writeOutputs(_ output: JSONValue, of item: WorkItem, nodeID id: String) {
        writeUnnoted(ContextKeys.output(of: id), output, by: id)
        if let replaced = ContextKeys.replacedNodeID(of: item, in: plan) {
            writeUnnoted(ContextKeys.output(of: replaced), output, by: id)
        }
    }

    private func write(_ key: String, _ value: JSONValue, by nodeID: String) {
        writeUnnoted(key, value, by: nodeID)
        history?.driverWrote(key, value)
    }

    /// Writes `key` to the run's state and tells the event handler, without noting it for history.
    private func writeUnnoted(_ key: String, _ value: JSONValue, by nodeID: String) {
        state.setValue(value, forKey: key)
        events?.contextChange(by: nodeID, key: key, value: value)
    }

    private func nodeID(of item: WorkItem) -> String {
        switch item {
        case .node(let n): return plan.nodes[n].id
        case .fallback(_, let f): return plan.nodes[f].id
        case .worker(let owner, let slot):
            return scheduler.worker(owner: owner, slot: slot)?.id ?? "\(plan.nodes[owner].id)#\(slot)"
        }
    }

    private func location(of item: WorkItem) -> SourceLocation? {
        switch item {
        case .node(let n): return plan.nodes[n].location
        case .fallback(_, let f): return plan.nodes[f].location
        case .worker(let owner, _): return plan.nodes[owner].location
        }
    }

    /// The paused item a resume call addresses: `nodeID` here, or the subflow holding it; with no
    /// id, the first `wait` here or in a paused subflow, else the first paused item.
    private func pickAwaiting(nodeID: String?) -> AwaitingItem? {
        let items = scheduler.awaiting
        if let nodeID {
            if let direct = items.first(where: { $0.nodeID == nodeID }) { return direct }
            return items.first { $0.reason == .subflow && children[$0.nodeID].map { Self.holds($0, nodeID: nodeID) } == true }
        }
        if let wait = items.first(where: { $0.reason == .wait }) { return wait }
        if let sub = items.first(where: { $0.reason == .subflow && children[$0.nodeID].map { Self.holdsWait($0) } == true }) {
            return sub
        }
        return items.first
    }

    private static func holds(_ snapshot: RunSnapshot, nodeID: String) -> Bool {
        snapshot.scheduler.awaiting.contains { $0.nodeID == nodeID }
            || snapshot.children.values.contains { holds($0, nodeID: nodeID) }
    }

    private static func holdsWait(_ snapshot: RunSnapshot) -> Bool {
        snapshot.scheduler.awaiting.contains { $0.reason == .wait } || snapshot.children.values.contains(where: holdsWait)
    }

    // MARK: - Result

    /// No work is left: a join that received arrivals but can never fire fails the run
    /// (`RoutingRules.stuckJoinMessage`), after `workflow:stall` named every such join.
    private func failStuckJoins() {
        let stuck = scheduler.waitingJoins
        guard let join = RoutingRules.reportedStuckJoin(plan, among: stuck) else { return }
        events?.emit(.workflowStall, ["remainingNodes": .array(stuck.map { .string(plan.nodes[$0].id) })])
        failed = true
        errors.append(
            WorkflowError(
                blueprintID: plan.id, nodeID: plan.nodes[join].id, location: plan.nodes[join].location,
                message: RoutingRules.stuckJoinMessage(plan, join: join, arrived: scheduler.arrivals(atJoin: join)),
                attempts: 0, isFatal: true))
    }

    private func finish() -> WorkflowResult {
        if !cancelled, !failed, scheduler.awaiting.isEmpty { failStuckJoins() }
        let status: WorkflowStatus
        if cancelled {
            status = .cancelled
        } else if failed {
            status = .failed
        } else if !scheduler.awaiting.isEmpty {
            status = .awaiting
        } else {
            status = .completed
        }
        let context = state.dictionary
        var snapshot: RunSnapshot?
        let awaiting = scheduler.awaiting.map { AwaitingNode(nodeID: $0.nodeID, reason: $0.reason) }
        if status == .awaiting {
            history?.paused(awaiting.map(\.nodeID))
            snapshot = RunSnapshot(
                runID: runID, blueprintID: plan.id, scheduler: scheduler, context: context, children: children,
                depth: depth, history: history?.position)
            events?.emit(.workflowPause, ["awaiting": .array(awaiting.map { .string($0.nodeID) })])
        } else if status == .failed {
            // What a redrive needs: everything the run did, and what runs again.
            snapshot = RunSnapshot(
                runID: runID, blueprintID: plan.id, scheduler: scheduler, context: context, children: children,
                depth: depth,
                redrive: RedriveState(
                    items: RedriveRules.itemsToRerun(failed: failedItems, interrupted: interruptedItems),
                    blueprintVersion: plan.blueprint.effectiveVersion, graphDigest: RedriveRules.graphDigest(plan),
                    redriveCount: redriveCount))
        }
        events?.emit(
            .workflowFinish,
            ["status": .string(status.rawValue), "errors": .array(errors.map { .string($0.description) })])
        if recordsHistory, status != .awaiting {
            // An event handler may take its time: the run ends after it.
            if events != nil { history?.forgetLastReading() }
            history?.ended(status == .completed ? .completed : status == .failed ? .failed : .cancelled, error: errors.first)
        }
        // A failed run's snapshot (for a redrive) numbers its history on after the end event.
        if status == .failed, let position = history?.position { snapshot?.history = position }
        // The snapshot keeps the engine's bookkeeping (a reloaded run needs it); the result does not.
        return WorkflowResult(
            runID: runID, blueprintID: plan.id, status: status, context: ContextKeys.visible(context), errors: errors,
            awaiting: status == .awaiting ? awaiting : [], snapshot: snapshot)
    }
}

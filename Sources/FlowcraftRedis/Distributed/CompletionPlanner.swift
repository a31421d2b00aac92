import Flowcraft

/// Turns a node's routing — decided by the runtime's ``RunScheduler`` — into the arrival records the
/// completion script applies atomically in Redis.
///
/// The scheduler decides which edges are taken (action, conditions, fallback edges, loop continue);
/// the join state itself lives in Redis, so the scheduler runs on a fresh state here and only its
/// routing is used. Dead-path elimination is passed on as records: the dead first-level targets and,
/// for each node that could die because of them, the dead arrivals its own edges would deliver.
struct CompletionPlanner: Sendable {
    let plan: CompiledBlueprint
    let runID: String
    let options: DistributedOptions
    /// Written into every job this planner makes (``NodeJobData/blueprintFingerprint``).
    let fingerprint: String

    init(prepared: DistributedBlueprint, runID: String, options: DistributedOptions) {
        plan = prepared.compiled
        fingerprint = prepared.fingerprint
        self.runID = runID
        self.options = options
    }

    /// Records for the routing of a successful completion of `item` in `iteration`.
    func records(
        completing item: WorkItem, action: String?, iteration: Int, condition: (Int) -> Bool
    ) -> (records: [ArrivalRecord], takenEdges: [Int], unrouted: UnroutedAction?) {
        var scheduler = RunScheduler(plan: plan)
        let outcome = scheduler.complete(item, action: action, in: plan, condition: condition)
        var routedSources: [Int] = []
        /// An unused fallback: its own edges die (a dead predecessor of their targets).
        var unusedFallback: Int?
        switch item {
        case .node(let n):
            routedSources = [n]
            if let f = plan.fallbacks[n], !plan.outgoing[f].isEmpty { unusedFallback = f }
        case .fallback(let n, let f): routedSources = plan.outgoing[f].isEmpty ? [n] : [n, f]
        case .worker: routedSources = []
        }

        var records: [ArrivalRecord] = []
        var liveTargets: Set<Pair> = []
        for e in outcome.takenEdges {
            let edge = plan.edges[e]
            guard liveTargets.insert(Pair(source: edge.source, target: edge.target)).inserted else { continue }
            let target = instance(of: edge.target, from: edge.source, action: action, iteration: iteration)
            records.append(record(from: "", source: plan.nodes[edge.source].id, target: target, live: true))
        }

        // Mirrors the scheduler's rule: a loop controller that continues keeps its exit open.
        var dying: [NodeInstance] = []
        for s in routedSources where !(plan.builtins[s] == .loopController && action == "continue") {
            var seen: Set<Int> = []
            for e in plan.outgoing[s] {
                let t = plan.edges[e].target
                guard !liveTargets.contains(Pair(source: s, target: t)), seen.insert(t).inserted else { continue }
                let target = instance(of: t, from: s, action: nil, iteration: iteration)
                records.append(record(from: "", source: plan.nodes[s].id, target: target, live: false))
                dying.append(target)
            }
        }
        if let f = unusedFallback {
            for t in distinctTargets(of: f) {
                let target = NodeInstance(plan.nodes[t].id, iteration: iteration)
                records.append(record(from: "", source: plan.nodes[f].id, target: target, live: false))
                dying.append(target)
            }
        }
        records += deadClosure(startingAt: dying)
        return (records, outcome.takenEdges, outcome.unrouted)
    }

    private func distinctTargets(of n: Int) -> [Int] {
        var seen: Set<Int> = []
        return plan.outgoing[n].map { plan.edges[$0].target }.filter { seen.insert($0).inserted }
    }

    /// For every node that dead arrivals could kill, the dead arrivals its death delivers.
    func deadClosure(startingAt roots: [NodeInstance]) -> [ArrivalRecord] {
        var records: [ArrivalRecord] = []
        var visited: Set<NodeInstance> = Set(roots)
        var work = roots
        while let dead = work.popLast() {
            guard let n = plan.nodeIndex[dead.nodeID] else { continue }
            var seen: Set<Int> = []
            for e in plan.outgoing[n] {
                let t = plan.edges[e].target
                guard seen.insert(t).inserted else { continue }
                let target = instance(of: t, from: n, action: nil, iteration: dead.iteration)
                records.append(record(from: dead.description, source: dead.nodeID, target: target, live: false))
                if visited.insert(target).inserted { work.append(target) }
            }
            // A node that dies never fails: its fallback goes unused, and the fallback's edges die.
            if let f = plan.fallbacks[n] {
                for t in distinctTargets(of: f) {
                    let target = NodeInstance(plan.nodes[t].id, iteration: dead.iteration)
                    records.append(record(from: dead.description, source: plan.nodes[f].id, target: target, live: false))
                    if visited.insert(target).inserted { work.append(target) }
                }
            }
        }
        return records
    }

    /// Records that enqueue the start nodes of a new run.
    func startRecords() -> [ArrivalRecord] {
        plan.startNodes.map { n in
            record(from: "", source: "", target: NodeInstance(plan.nodes[n].id), live: true)
        }
    }

    /// The record that enqueues `fallback` in place of failed `node`.
    func fallbackRecord(node: Int, fallback: Int, iteration: Int) -> ArrivalRecord {
        var data = NodeJobData(
            runID: runID, blueprintID: plan.id, nodeID: plan.nodes[fallback].id, iteration: iteration,
            fallbackFor: plan.nodes[node].id)
        data.blueprintFingerprint = fingerprint
        var r = record(from: "", source: "", target: data.instance, live: true)
        r.jobID = data.jobID
        r.data = JSONText.serialize(data.json)
        r.options = jobOptions(for: fallback, jobID: data.jobID, delay: r.delay)
        return r
    }

    /// The record that enqueues worker `index` of a batch (a direct enqueue: the scatter's commit or the
    /// commit of the worker `window` places before it).
    func batchWorkerRecord(scatter s: Int, spec: BatchPlan, index: Int, count: Int, iteration: Int) -> ArrivalRecord {
        var data = NodeJobData(runID: runID, blueprintID: plan.id, worker: spec, index: index, count: count, iteration: iteration)
        data.blueprintFingerprint = fingerprint
        return ArrivalRecord(
            from: "", target: data.instance, source: "", live: true, required: 1, join: "all", delay: 0,
            jobID: data.jobID, data: JSONText.serialize(data.json), options: jobOptions(for: s, jobID: data.jobID, delay: 0))
    }

    /// A batch worker's arrival at the gather, which joins all `count` workers.
    func batchGatherRecord(gather g: Int, workerID: String, count: Int, iteration: Int) -> ArrivalRecord {
        var r = record(from: "", source: workerID, target: NodeInstance(plan.nodes[g].id, iteration: iteration), live: true)
        r.required = count
        r.join = "all"
        return r
    }

    /// Loop iterations (``IterationNumbering``): a loop controller's `continue` edge enters the next
    /// round, its other edges leave the loop; every other edge stays in the source's iteration.
    private func instance(of target: Int, from source: Int, action: String?, iteration: Int) -> NodeInstance {
        NodeInstance(
            plan.nodes[target].id,
            iteration: IterationNumbering(plan).iteration(of: target, from: source, action: action, iteration: iteration, in: plan))
    }

    private func record(from: String, source: String, target: NodeInstance, live: Bool) -> ArrivalRecord {
        let t = plan.nodeIndex[target.nodeID] ?? 0
        let join: String
        let required: Int
        switch plan.joinModes[t] {
        case .single:
            // A shared fallback's own edges resolve once (its first owner decides): its arrivals are
            // deduplicated even at a single-predecessor target ("once": an `all` join of one).
            let shared = plan.nodeIndex[source].map { plan.fallbackOwnerCounts[$0] > 1 } ?? false
            (join, required) = (shared ? "once" : "all", 1)
        case .all: (join, required) = ("all", plan.predecessorCounts[t])
        case .any: (join, required) = ("any", plan.predecessorCounts[t])
        case .eachArrival: (join, required) = ("each", max(1, plan.predecessorCounts[t]))
        }
        var data = NodeJobData(runID: runID, blueprintID: plan.id, nodeID: target.nodeID, iteration: target.iteration)
        data.blueprintFingerprint = fingerprint
        let delay = plan.builtins[t] == .sleep ? sleepDelay(plan.nodes[t].params["duration"]) : 0
        let jobID = data.jobID
        return ArrivalRecord(
            from: from, target: target, source: source, live: live, required: required, join: join, delay: delay,
            jobID: jobID, data: JSONText.serialize(data.json), options: jobOptions(for: t, jobID: jobID, delay: delay))
    }

    /// BullMQ `opts` of a node job: the custom id, the delay of `sleep` nodes, and in queue retry mode
    /// the node's attempts with exponential backoff.
    private func jobOptions(for node: Int, jobID: String, delay: Int) -> String {
        var options = JobOptions(jobId: jobID, delay: delay)
        if self.options.retryMode == .queue {
            let config = plan.nodes[node].config
            options.attempts = max(1, config.maxRetries ?? 1)
            if let delay = config.retryDelay, delay > 0 { options.backoff = Backoff(.exponential, delay: delay) }
        }
        return JSONText.serialize(options.json)
    }

    /// A `sleep` node's delay, as the runtime reads `duration`; an unreadable one delays nothing.
    private func sleepDelay(_ duration: JSONValue?) -> Int {
        DurationValue.milliseconds(duration).map { Int(clamping: $0) } ?? 0
    }

    private struct Pair: Hashable {
        var source: Int
        var target: Int
    }
}

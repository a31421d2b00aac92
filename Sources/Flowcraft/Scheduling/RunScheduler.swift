/// The pure scheduling core of one run: which items are ready, join bookkeeping, dead-path
/// elimination, routing by action and condition, fallbacks, batches of dynamic workers, loop
/// iteration counts and paused items.
///
/// It is synchronous and engine-neutral: the in-memory `FlowRuntime` drives it with tasks and keeps
/// it in a paused run's `RunSnapshot` (it is `Codable`). The distributed engine stores no scheduler:
/// each job asks a fresh one for the routing of one completion (`CompletionPlanner`) and keeps the
/// join state in Redis. Every call does work proportional to the completed node's out-degree (plus
/// the nodes it skips); nothing scans all nodes.
///
/// The scheduler never evaluates expressions itself: `complete` asks the caller, through
/// `condition`, whether a guarded edge holds, so the caller controls the scope and emits events.
package struct RunScheduler: Sendable, Codable {
    private var queue = FIFOQueue<WorkItem>()
    private var joins: [Int: JoinProgress] = [:]
    private var batches: [Int: BatchProgress] = [:]
    private var iterations: [Int: Int] = [:]
    /// Shared fallbacks (named by several nodes) whose own edges were resolved in the current round:
    /// the owners that resolved so far. `nil` until a shared fallback is first resolved (and in state
    /// encoded before this was kept).
    private var sharedFallbackRounds: [Int: Set<Int>]?
    /// Items taken and not yet completed, failed or paused.
    package private(set) var inFlight = 0
    /// Paused items, in the order they paused.
    package private(set) var awaiting: [AwaitingItem] = []
    /// Counters, for reports and tests.
    package private(set) var completedCount = 0
    package private(set) var skippedCount = 0

    /// A scheduler whose ready queue holds the blueprint's start nodes.
    package init(plan: CompiledBlueprint) {
        for n in plan.startNodes { queue.append(.node(n)) }
    }

    /// Items waiting to be taken.
    package var readyCount: Int { queue.count }
    /// The items waiting to be taken, in taking order.
    package var readyItems: [WorkItem] { queue.waiting }

    /// True when nothing is ready, running or batching: the run is finished (completed, or
    /// awaiting when `awaiting` is not empty).
    package var isIdle: Bool { queue.count == 0 && inFlight == 0 && batches.isEmpty }

    /// Join nodes some of whose predecessors arrived while others never resolved: when the run is
    /// idle, these will not run (Flowcraft's "stall"; with dead-path elimination it takes a failed or
    /// paused branch).
    package var waitingJoins: [Int] {
        joins.filter { !$0.value.live.isEmpty && !$0.value.fired }.map(\.key).sorted()
    }

    /// The predecessors of `join` whose arrival (live or dead) was recorded in its current round.
    package func arrivals(atJoin join: Int) -> Set<Int> {
        guard let j = joins[join] else { return [] }
        return j.live.union(j.dead)
    }

    /// Takes the next ready item (FIFO); it counts as in flight until completed, failed or paused.
    package mutating func takeReady() -> WorkItem? {
        guard let item = queue.popFirst() else { return nil }
        inFlight += 1
        return item
    }

    /// The definition of a dynamic worker.
    package func worker(owner: Int, slot: Int) -> NodeDefinition? {
        guard let batch = batches[owner], batch.workers.indices.contains(slot) else { return nil }
        return batch.workers[slot]
    }

    /// Records a successful completion and routes from it. `condition(edge)` is called for each
    /// edge with a condition that is considered, in edge order.
    package mutating func complete(
        _ item: WorkItem, action: String?, in plan: CompiledBlueprint, condition: (Int) -> Bool
    ) -> RoutingOutcome {
        inFlight -= 1
        completedCount += 1
        var outcome = RoutingOutcome()
        if case .worker(let owner, _) = item {
            workerFinished(owner: owner, plan: plan, condition: condition, into: &outcome)
        } else {
            routeCompletion(of: item, action: action, plan: plan, condition: condition, into: &outcome)
        }
        return outcome
    }

    /// Records that `item` failed for good. Returns the fallback item (already queued) when the node
    /// has a fallback and `allowFallback`; `nil` means the run fails.
    package mutating func fail(_ item: WorkItem, in plan: CompiledBlueprint, allowFallback: Bool) -> WorkItem? {
        inFlight -= 1
        guard allowFallback, case .node(let n) = item, let f = plan.fallbacks[n] else { return nil }
        let fallback = WorkItem.fallback(node: n, fallback: f)
        queue.append(fallback)
        return fallback
    }

    /// Replaces `item`'s completion by a batch of dynamic workers released `chunkSize` at a time.
    /// Once every worker finished, `item` routes as its own completion would — with `action`, along a
    /// failed node's edges when it is a fallback — and the caller evaluates conditions against
    /// `output` and `action` (see `batchRouting(owner:)`), not against the last worker's result.
    /// Released workers are queued and listed in the outcome; with no workers, `item` routes at once.
    package mutating func startBatch(
        _ item: WorkItem, workers: [NodeDefinition], chunkSize: Int, action: String?, output: JSONValue,
        in plan: CompiledBlueprint, condition: (Int) -> Bool
    ) -> RoutingOutcome {
        guard !workers.isEmpty, let owner = item.executedNode else {
            return complete(item, action: action, in: plan, condition: condition)
        }
        inFlight -= 1
        var outcome = RoutingOutcome()
        var batch = BatchProgress(
            workers: workers, chunkSize: max(1, chunkSize), released: 0, outstanding: 0, action: action,
            spawner: item, output: output)
        release(owner: owner, batch: &batch, into: &outcome)
        batches[owner] = batch
        return outcome
    }

    /// How the batch of `owner` routes once its last worker finished: the item that started it, with
    /// that item's output and action. Completing a worker of `owner` with `complete` evaluates edge
    /// conditions only when it is the last one, and then against this. `nil` when `owner` has no batch.
    package func batchRouting(owner: Int) -> BatchRouting? {
        guard let batch = batches[owner] else { return nil }
        return BatchRouting(
            item: Self.spawner(of: batch, owner: owner), output: batch.output ?? .null, action: batch.action)
    }

    /// Pauses an in-flight item.
    package mutating func suspend(_ item: WorkItem, nodeID: String, reason: AwaitReason) {
        inFlight -= 1
        awaiting.append(AwaitingItem(item: item, nodeID: nodeID, reason: reason))
    }

    /// Takes a paused item back in flight; the caller then completes or fails it.
    package mutating func resume(nodeID: String) -> AwaitingItem? {
        guard let i = awaiting.firstIndex(where: { $0.nodeID == nodeID }) else { return nil }
        inFlight += 1
        return awaiting.remove(at: i)
    }

    /// Redrive of a failed run (``RedriveRules``): nothing is in flight any more (what was is among
    /// `items`, or completed), and `items` are ready again. Joins, batches, loop counts and paused
    /// items are kept.
    public mutating func redrive(_ items: [WorkItem]) {
        inFlight = 0
        for item in items { queue.append(item) }
    }

    /// Counts one more iteration of a loop controller and returns the new count (1 on first entry).
    package mutating func recordIteration(ofLoop node: Int) -> Int {
        let next = (iterations[node] ?? 0) + 1
        iterations[node] = next
        return next
    }

    /// Iterations counted so far for a loop controller.
    package func iterationCount(ofLoop node: Int) -> Int { iterations[node] ?? 0 }

    /// The loop broke: the next entry into it (e.g. from an enclosing loop's next round) counts its
    /// rounds from one again, and is capped afresh.
    package mutating func endLoop(_ node: Int) {
        iterations[node] = nil
    }

    // MARK: - Routing

    /// Routes a completed node: along its edges; a fallback along the failed node's edges, and its own.
    private mutating func routeCompletion(
        of item: WorkItem, action: String?, plan: CompiledBlueprint, condition: (Int) -> Bool,
        into outcome: inout RoutingOutcome
    ) {
        switch item {
        case .node(let n):
            route(from: n, action: action, plan: plan, condition: condition, into: &outcome)
            // Its fallback went unused: a dead predecessor of the targets of its own edges.
            if let f = plan.fallbacks[n], !plan.outgoing[f].isEmpty, claimFallbackEdges(f, owner: n, plan: plan) {
                killEdges(of: f, plan: plan, into: &outcome)
            }
        case .fallback(let n, let f):
            route(from: n, action: action, plan: plan, condition: condition, into: &outcome)
            if !plan.outgoing[f].isEmpty, claimFallbackEdges(f, owner: n, plan: plan) {
                route(from: f, action: action, plan: plan, condition: condition, into: &outcome)
            }
        case .worker:
            // Workers route through their batch (`workerFinished`), never on their own.
            break
        }
    }

    /// Whether owner `n`'s resolution decides fallback `f`'s own edges: always for a fallback of one
    /// node; for a shared fallback, only the first owner to resolve in a round (its success or skip
    /// kills them, its fallback run routes them). A round ends when every owner resolved, or when an
    /// owner resolves a second time (a loop came round).
    private mutating func claimFallbackEdges(_ f: Int, owner n: Int, plan: CompiledBlueprint) -> Bool {
        let owners = plan.fallbackOwnerCounts[f]
        if owners <= 1 { return true }
        var rounds = sharedFallbackRounds ?? [:]
        var resolved = rounds[f] ?? []
        if resolved.contains(n) { resolved = [] }
        let first = resolved.isEmpty
        resolved.insert(n)
        rounds[f] = resolved.count >= owners ? nil : resolved
        sharedFallbackRounds = rounds
        return first
    }

    /// Every edge of `n` dies (its distinct targets, once each).
    private mutating func killEdges(of n: Int, plan: CompiledBlueprint, into outcome: inout RoutingOutcome) {
        var seen: Set<Int> = []
        for e in plan.outgoing[n] where seen.insert(plan.edges[e].target).inserted {
            propagateDead(along: e, plan: plan, into: &outcome)
        }
    }

    private mutating func route(
        from n: Int, action: String?, plan: CompiledBlueprint, condition: (Int) -> Bool,
        into outcome: inout RoutingOutcome
    ) {
        let out = plan.outgoing[n]
        if out.isEmpty { return }
        if outcome.unrouted == nil, RoutingRules.failsUnrouted(plan, node: n, action: action) {
            outcome.unrouted = UnroutedAction(node: n, action: action)
        }
        let firstTaken = outcome.takenEdges.count
        if let action {
            for e in out where plan.edges[e].action == action {
                if plan.edges[e].condition == nil || condition(e) {
                    outcome.takenEdges.append(e)
                } else {
                    outcome.rejectedEdges.append(e)
                }
            }
        }
        if outcome.takenEdges.count == firstTaken {
            for e in out where plan.edges[e].action == nil {
                if plan.edges[e].condition == nil || condition(e) {
                    outcome.takenEdges.append(e)
                } else {
                    outcome.rejectedEdges.append(e)
                }
            }
        }
        let taken = outcome.takenEdges[firstTaken...]

        // A loop that continues keeps its exit open: its untaken edges are not dead yet.
        let propagateDeath = !(plan.builtins[n] == .loopController && action == "continue")
        if out.count == 1 {
            if taken.isEmpty {
                if propagateDeath { propagateDead(along: out[0], plan: plan, into: &outcome) }
            } else {
                arrive(along: out[0], plan: plan, into: &outcome)
            }
            return
        }
        var takenTargets: Set<Int> = []
        for e in taken where takenTargets.insert(plan.edges[e].target).inserted {
            arrive(along: e, plan: plan, into: &outcome)
        }
        guard propagateDeath else { return }
        var deadTargets: Set<Int> = []
        for e in out {
            let t = plan.edges[e].target
            if !takenTargets.contains(t) && deadTargets.insert(t).inserted {
                propagateDead(along: e, plan: plan, into: &outcome)
            }
        }
    }

    private mutating func arrive(along e: Int, plan: CompiledBlueprint, into outcome: inout RoutingOutcome) {
        let s = plan.edges[e].source
        let t = plan.edges[e].target
        let fire: Bool
        if plan.isBackEdge[e] {
            // A loop coming round: a new round of the target, not a join.
            fire = true
        } else {
            // Join state is mutated in place: copying its sets would make wide joins quadratic.
            switch plan.joinModes[t] {
            case .single:
                fire = true
            case .eachArrival:
                joins[t, default: JoinProgress()].fired = true
                fire = true
            case .any:
                joins[t, default: JoinProgress()].live.insert(s)
                fire = joins[t]?.fired != true
                joins[t]?.fired = true
                if let j = joins[t], j.live.count + j.dead.count >= plan.predecessorCounts[t] { joins[t] = nil }
            case .all:
                joins[t, default: JoinProgress()].live.insert(s)
                if let j = joins[t], j.live.count + j.dead.count >= plan.predecessorCounts[t] {
                    joins[t] = nil
                    fire = true
                } else {
                    fire = false
                }
            }
        }
        if fire {
            queue.append(.node(t))
            outcome.activated.append(.node(t))
        }
    }

    private enum DeadArrival { case pending, skip, fire }

    /// Marks the edge `s -> t` dead and propagates: a node all of whose predecessors are dead is
    /// skipped, and its own edges die in turn (iteratively: no recursion on long chains).
    private mutating func propagateDead(along edge: Int, plan: CompiledBlueprint, into outcome: inout RoutingOutcome) {
        var work = [edge]
        while let e = work.popLast() {
            // A dead loop-back edge ends an iteration; it kills nothing.
            if plan.isBackEdge[e] { continue }
            let source = plan.edges[e].source
            let target = plan.edges[e].target
            switch deadArrival(from: source, at: target, plan: plan) {
            case .pending:
                continue
            case .fire:
                queue.append(.node(target))
                outcome.activated.append(.node(target))
            case .skip:
                skippedCount += 1
                outcome.skipped.append(target)
                let out = plan.outgoing[target]
                if out.count == 1 {
                    work.append(out[0])
                } else if out.count > 1 {
                    var seen: Set<Int> = []
                    for next in out where seen.insert(plan.edges[next].target).inserted { work.append(next) }
                }
                // A skipped node never fails: its fallback goes unused, and the fallback's edges die.
                if let f = plan.fallbacks[target], !plan.outgoing[f].isEmpty,
                    claimFallbackEdges(f, owner: target, plan: plan)
                {
                    var seen: Set<Int> = []
                    for next in plan.outgoing[f] where seen.insert(plan.edges[next].target).inserted { work.append(next) }
                }
            }
        }
    }

    private mutating func deadArrival(from s: Int, at t: Int, plan: CompiledBlueprint) -> DeadArrival {
        let count = plan.predecessorCounts[t]
        switch plan.joinModes[t] {
        case .single:
            return .skip
        case .eachArrival:
            if joins[t]?.fired == true { return .pending }
            joins[t, default: JoinProgress()].dead.insert(s)
            return (joins[t]?.dead.count ?? 0) >= count ? .skip : .pending
        case .any:
            joins[t, default: JoinProgress()].dead.insert(s)
            guard let j = joins[t], j.live.count + j.dead.count >= count else { return .pending }
            joins[t] = nil
            return j.fired ? .pending : .skip
        case .all:
            joins[t, default: JoinProgress()].dead.insert(s)
            guard let j = joins[t], j.live.count + j.dead.count >= count else { return .pending }
            joins[t] = nil
            return j.live.isEmpty ? .skip : .fire
        }
    }

    // MARK: - Batches

    private mutating func release(owner: Int, batch: inout BatchProgress, into outcome: inout RoutingOutcome) {
        let end = min(batch.workers.count, batch.released + batch.chunkSize)
        for slot in batch.released..<end {
            queue.append(.worker(owner: owner, slot: slot))
            outcome.activated.append(.worker(owner: owner, slot: slot))
        }
        batch.outstanding += end - batch.released
        batch.released = end
    }

    private mutating func workerFinished(
        owner: Int, plan: CompiledBlueprint, condition: (Int) -> Bool, into outcome: inout RoutingOutcome
    ) {
        guard var batch = batches[owner] else { return }
        batch.outstanding -= 1
        if batch.outstanding > 0 {
            batches[owner] = batch
        } else if batch.released < batch.workers.count {
            release(owner: owner, batch: &batch, into: &outcome)
            batches[owner] = batch
        } else {
            batches[owner] = nil
            routeCompletion(
                of: Self.spawner(of: batch, owner: owner), action: batch.action, plan: plan, condition: condition,
                into: &outcome)
        }
    }

    /// The item that started `batch`: the recorded one when it ran `owner` (state decoded from elsewhere
    /// may hold anything), else `owner` as a plain node.
    private static func spawner(of batch: BatchProgress, owner: Int) -> WorkItem {
        if let item = batch.spawner, item.executedNode == owner { return item }
        return .node(owner)
    }
}

import FlowcraftModel

/// Each node's state in one run and the edges the run took, derived from its history and its
/// ``CompiledBlueprint`` (`flowcraft graph --run RUN`).
///
/// A node is `completed` when an execution of it completed (or its fallback ran as `fallbackNodeID`),
/// `failed` when its last execution failed (or recovered through a fallback), `waiting` when the run
/// is paused on it, `running` when the run is active and a taken edge leads to it, `skipped` when every
/// predecessor was decided (routed, skipped, or an unused fallback) and no edge into it is live, and
/// `notReached` otherwise. An edge is live when its source routed (completed, or failed into a
/// fallback), its action matches one the source returned (an edge without action matches any) and
/// its condition held for one of the source's executions — evaluated as the engines evaluate it, on
/// the context replayed from the history up to that execution (its output and writes applied); when
/// the history cap dropped the run's start, conditions count as held. A live edge into a reached node
/// was taken. A redrive forgets the earlier executions of the nodes it runs again. The CLI (`graph
/// --run`, `inspect`) and the dashboard both draw runs from this one derivation.
public struct RunGraphStates: Sendable, Hashable {
    /// The state a node is drawn in.
    public enum NodeState: String, Sendable, Hashable, Codable, CaseIterable {
        /// Ran to completion (or was recovered by its fallback).
        case completed
        /// Failed the run.
        case failed
        /// On a dead path: it will never run in this round.
        case skipped
        /// Running now (the run is active and the node started).
        case running
        /// Paused (`sleep`, `wait`, or a subflow whose child waits).
        case waiting
        /// Not reached (yet).
        case notReached = "not-reached"
    }

    /// Every node of the blueprint by id.
    public var nodes: [String: NodeState]
    /// Indices into the compiled blueprint's edges (`CompiledBlueprint.edges`) of the taken edges.
    public var takenEdges: Set<Int>
    /// The nodes whose last execution failed and whose fallback ran in their place (their state in
    /// ``nodes`` is `failed`, their fallback's `completed`).
    public var recoveredNodes: Set<String>
    /// The nodes the run waits on now, in the order the pause named them (empty unless it is waiting).
    public var waitingNodes: [String]

    /// The nodes a run waits on now, from its events alone (no blueprint needed): the last pause's
    /// nodes not resumed or finished since, or none when the run is not waiting.
    public static func waitingNodes(summary: RunSummary?, events: [RunHistoryEvent]) -> [String] {
        guard summary?.status == .waiting else { return [] }
        var waiting: [String] = []
        for event in events {
            switch event.kind {
            case .paused(let ids): waiting = ids
            case .resumed(let id, _): waiting.removeAll { $0 == id }
            case .nodeFinished(let e): waiting.removeAll { $0 == e.nodeID }
            case .runEnded: waiting = []
            case .runStarted, .redriven: break
            }
        }
        return waiting
    }

    /// Derives every node's state and the taken edges of one run from its summary and events.
    public init(plan: CompiledBlueprint, summary: RunSummary?, events: [RunHistoryEvent]) {
        var last: [Int: RunHistoryEvent.NodeExecution] = [:]
        var actions: [Int: Set<String?>] = [:]
        // Conditional edges whose condition held for an execution of their source (`nil`: the run's
        // start was dropped by the cap, so the context is not known: every condition counts as held).
        var conditions = ConditionOutcomes(plan: plan)
        var fallbackOwners: [Int: [Int]] = [:]
        for (owner, fallback) in plan.fallbacks.enumerated() {
            if let fallback { fallbackOwners[fallback, default: []].append(owner) }
        }
        for event in events {
            switch event.kind {
            case .runStarted(let start):
                conditions.start(start.context)
            case .nodeFinished(let e):
                conditions.apply(e)
                guard let n = plan.nodeIndex[e.nodeID] else { continue }
                last[n] = e
                actions[n, default: []].insert(e.action)
                if e.status == .completed {
                    conditions.evaluate(from: n, execution: e)
                    // A fallback's completion routes the edges of the node it replaced too.
                    for owner in fallbackOwners[n] ?? [] where last[owner]?.status == .recovered {
                        conditions.evaluate(from: owner, execution: e)
                    }
                }
                if let f = e.fallbackNodeID.flatMap({ plan.nodeIndex[$0] }) {
                    actions[f, default: []].insert(e.action)
                }
            case .redriven(let ids):
                // The redriven nodes run again: what they did before no longer counts.
                for n in ids.compactMap({ plan.nodeIndex[$0] }) {
                    last[n] = nil
                    actions[n] = nil
                    conditions.forget(n)
                }
            case .paused, .resumed, .runEnded:
                break
            }
        }
        let active = summary?.status.isActive ?? true
        let waitingIDs = Self.waitingNodes(summary: summary, events: events)
        let waiting = waitingIDs.compactMap { plan.nodeIndex[$0] }
        var recovered: Set<String> = []
        var state = [NodeState](repeating: .notReached, count: plan.nodes.count)
        var routed = [Bool](repeating: false, count: plan.nodes.count)
        // Fallbacks of nodes that completed: they will not run, and their edges are dead (the engines
        // skip their targets).
        var unusedFallback = [Bool](repeating: false, count: plan.nodes.count)
        for (n, e) in last {
            switch e.status {
            case .completed:
                state[n] = .completed
                routed[n] = true
                if let f = plan.fallbacks[n] { unusedFallback[f] = true }
            case .recovered:
                state[n] = .failed
                routed[n] = true
                recovered.insert(plan.nodes[n].id)
                if let f = e.fallbackNodeID.flatMap({ plan.nodeIndex[$0] }) {
                    state[f] = .completed
                    routed[f] = true
                }
            case .failed:
                state[n] = .failed
            }
        }
        // The node the run failed at is drawn failed even when its own execution completed (an action
        // no edge routes, NO_ROUTE, fails the run after the node finished).
        if summary?.status == .failed, let failed = summary?.failedNodeID.flatMap({ plan.nodeIndex[$0] }),
            state[failed] == .notReached || state[failed] == .completed
        {
            state[failed] = .failed
        }
        for n in waiting { state[n] = .waiting }
        var reached = state.map { $0 != .notReached }
        // An edge is live when its source routed and its action matches one the source returned. Live
        // edges into reached targets were taken; in an active run the targets of the others run now.
        var live = [Bool](repeating: false, count: plan.edges.count)
        var taken: Set<Int> = []
        for (e, edge) in plan.edges.enumerated() where routed[edge.source] {
            let sourceActions = actions[edge.source] ?? [nil]
            guard edge.action == nil || sourceActions.contains(edge.action) else { continue }
            guard conditions.held(e) else { continue }
            live[e] = true
            if reached[edge.target] {
                taken.insert(e)
            } else if active {
                taken.insert(e)
                state[edge.target] = .running
                reached[edge.target] = true
            }
        }
        // Dead paths: a node whose predecessors are all decided and none of whose edges is live was
        // skipped (a fallback is never skipped: it only runs in its owner's place).
        var incoming = [[Int]](repeating: [], count: plan.nodes.count)
        for (e, edge) in plan.edges.enumerated() where !plan.isBackEdge[e] { incoming[edge.target].append(e) }
        let fallbacks = Set(plan.fallbacks.compactMap { $0 })
        var changed = true
        while changed {
            changed = false
            for n in plan.nodes.indices where state[n] == .notReached && !incoming[n].isEmpty && !fallbacks.contains(n) {
                let dead = incoming[n].allSatisfy { e in
                    let s = plan.edges[e].source
                    return state[s] == .skipped || (routed[s] && !live[e]) || (unusedFallback[s] && !routed[s])
                }
                if dead {
                    state[n] = .skipped
                    changed = true
                }
            }
        }
        nodes = Dictionary(uniqueKeysWithValues: plan.nodes.indices.map { (plan.nodes[$0].id, state[$0]) })
        takenEdges = taken
        recoveredNodes = recovered
        waitingNodes = waiting.map { plan.nodes[$0].id }
    }
}

/// Which conditional edges held for an execution of their source, evaluated on the context replayed
/// from the history (``RunGraphStates``).
private struct ConditionOutcomes {
    let plan: CompiledBlueprint
    /// The replayed context; `nil` until the run's start is seen (the cap may have dropped it).
    var context: [String: JSONValue]?
    /// Conditional edges that held at least once.
    var held: Set<Int> = []
    /// Whether any edge of the plan has a condition (otherwise nothing is replayed).
    let hasConditions: Bool

    init(plan: CompiledBlueprint) {
        self.plan = plan
        hasConditions = plan.edges.contains { $0.condition != nil }
    }

    mutating func start(_ visible: [String: JSONValue]) {
        guard hasConditions else { return }
        context = visible
    }

    mutating func apply(_ execution: RunHistoryEvent.NodeExecution) {
        guard hasConditions, context != nil else { return }
        for (key, value) in execution.writes { context?[key] = value }
    }

    /// Evaluates the conditional edges out of `n` for `execution` (applied already).
    mutating func evaluate(from n: Int, execution: RunHistoryEvent.NodeExecution) {
        guard hasConditions, let context else { return }
        let output = context[ContextKeys.output(of: plan.nodes[n].id)] ?? .null
        for e in plan.outgoing[n] {
            guard let condition = plan.edges[e].condition else { continue }
            let scope = EdgeConditionScope(output: output, action: execution.action, context: context)
            if condition.evaluate(in: scope).isTruthy { held.insert(e) }
        }
    }

    /// A redriven node runs again: its earlier outcomes no longer count.
    mutating func forget(_ n: Int) {
        for e in plan.outgoing[n] { held.remove(e) }
    }

    /// Whether edge `e` may be live: it has no condition, its condition held once, or the context is
    /// not known.
    func held(_ e: Int) -> Bool {
        plan.edges[e].condition == nil || context == nil || held.contains(e)
    }
}

import Synchronization

/// The in-memory workflow engine: runs prepared blueprints with registered node implementations.
///
/// ```swift
/// var registry = NodeRegistry()
/// registry.register("fetch-order") { ctx in NodeResult(output: ["total": 42]) }
/// let runtime = try FlowRuntime(blueprints: [blueprint], registry: registry)
/// let result = try await runtime.run("orders", context: ["orderId": "A-1"])
/// if result.status == .awaiting {            // a `wait` node paused the run
///     let resumed = try await runtime.resume(result, action: "approved", output: ["by": "ann"])
/// }
/// ```
/// Scheduling (joins, dead paths, routing, fallbacks, batches, loops) lives in `RunScheduler`;
/// this type adds tasks: a sliding window of at most `concurrency` nodes in flight (on as many
/// long-lived worker tasks of the run, `NodeJobPool`, not a task per node), per-attempt
/// timeouts that cancel the node's task, retries with exponential backoff and jitter on `clock`,
/// middleware and events. A run's failure, pause or cancellation is a `WorkflowResult`, not a
/// thrown error; `run` throws only for misuse (unknown blueprint, nothing to resume).
public final class FlowRuntime: Sendable {
    /// Compiled blueprints by id.
    package let plans: [String: CompiledBlueprint]
    /// The node implementations, by `uses` key.
    public let registry: NodeRegistry
    /// How this runtime runs (values in range: see ``Options``).
    public let options: Options
    /// Hands run history to ``Options/history`` in order, off the runs' tasks.
    let historyDelivery: RunHistoryDelivery?
    /// Whether ``clock`` is the ``SystemClock``: history times are then read directly (checked
    /// once here, not with a cast per run, and no call through the existential per reading).
    let clockIsSystem: Bool

    /// Values injected into every node's context.
    public var dependencies: Dependencies { options.dependencies }
    /// The logger nodes' loggers derive from.
    public var logger: Logger { options.logger }
    /// Receives every run's events.
    public var eventHandler: WorkflowEventHandler? { options.eventHandler }
    /// Middleware around every node attempt, outermost first.
    public var middleware: [any NodeMiddleware] { options.middleware }
    /// Most node attempts in flight at once per run (sliding window).
    public var concurrency: Int { options.concurrency }
    /// The clock for sleeps, retry delays and timestamps.
    public var clock: any RuntimeClock { options.clock }
    /// How retry delays grow.
    public var retryBackoff: RetryBackoff { options.retryBackoff }
    /// Cap on a loop-controller's iterations when its `maxIterations` param is absent.
    public var maximumLoopIterations: Int { options.maximumLoopIterations }
    /// The default of `maximumLoopIterations` (the distributed engine uses it too).
    public static let defaultMaximumLoopIterations = 1000
    /// Deepest nesting of subflows.
    public var maximumSubflowDepth: Int { options.maximumSubflowDepth }
    /// Limits on node outputs and the values nodes write.
    public var sizeLimits: SizeLimits { options.sizeLimits }

    /// Prepares `blueprints` (once) for running.
    public convenience init(
        blueprints: [WorkflowBlueprint], registry: NodeRegistry = NodeRegistry(), options: Options = Options()
    ) throws(BlueprintPreparationError) {
        var plans: [CompiledBlueprint] = []
        for blueprint in blueprints { plans.append(try CompiledBlueprint(blueprint)) }
        self.init(plans: plans, registry: registry, options: options)
    }

    /// Prepares the blueprints of a dictionary keyed by id.
    public convenience init(
        blueprints: [String: WorkflowBlueprint], registry: NodeRegistry = NodeRegistry(), options: Options = Options()
    ) throws(BlueprintPreparationError) {
        try self.init(
            blueprints: blueprints.keys.sorted().compactMap { blueprints[$0] }, registry: registry, options: options)
    }

    /// Uses blueprints prepared elsewhere (shared between runtimes).
    public init(plans: [CompiledBlueprint], registry: NodeRegistry = NodeRegistry(), options: Options = Options()) {
        var byID: [String: CompiledBlueprint] = [:]
        for plan in plans { byID[plan.id] = plan }
        self.plans = byID
        self.registry = registry
        let options = options.normalized
        self.options = options
        self.clockIsSystem = options.clock is SystemClock
        self.historyDelivery = options.history.map {
            RunHistoryDelivery(recorder: $0, logger: options.logger, backlogLimit: options.historyBacklogLimit)
        }
    }

    /// Waits until every history batch handed over so far is recorded (a no-op without
    /// ``Options/history``). Call it before reading history a run just wrote, or before the process
    /// exits.
    public func flushHistory() async {
        await historyDelivery?.flush()
    }

    // MARK: - Running

    /// Runs blueprint `blueprintID` from its start nodes with `context` as the initial state.
    /// Cancelling the calling task cancels the run (status `.cancelled`, context kept).
    public func run(
        _ blueprintID: String, context: [String: JSONValue] = [:], runID: String? = nil
    ) async throws(FlowRuntimeError) -> WorkflowResult {
        guard let plan = plans[blueprintID] else { throw .unknownBlueprint(blueprintID) }
        let driver = RunDriver(
            runtime: self, plan: plan, runID: runID ?? Self.makeRunID(), context: context,
            scheduler: RunScheduler(plan: plan), children: [:], depth: 0)
        return await withHistoryRoom(await driver.start())
    }

    /// `result`, once the history backlog is within ``Options/historyBacklogLimit`` (at once unless
    /// the recorder is behind).
    func withHistoryRoom(_ result: WorkflowResult) async -> WorkflowResult {
        // Checked here first: an async call that returns at once still costs the run a task hop.
        if let historyDelivery, historyDelivery.isOverBacklog { await historyDelivery.waitForRoom() }
        return result
    }

    /// Starts a run in its own task; the handle cancels it or awaits its result.
    public func start(
        _ blueprintID: String, context: [String: JSONValue] = [:], runID: String? = nil
    ) throws(FlowRuntimeError) -> RunHandle {
        guard plans[blueprintID] != nil else { throw .unknownBlueprint(blueprintID) }
        let id = runID ?? Self.makeRunID()
        let task = Task { () -> Result<WorkflowResult, FlowRuntimeError> in
            do throws(FlowRuntimeError) {
                return .success(try await self.run(blueprintID, context: context, runID: id))
            } catch {
                return .failure(error)
            }
        }
        return RunHandle(runID: id, task: task)
    }

    /// Resumes an awaiting run at a paused node: `wait` (routes by `action`, with `output` as the
    /// node's output), `sleep` (woken early) or `subflow` (the call is passed to the child run's
    /// paused node). With `nodeID` nil the first paused `wait` (directly or inside a subflow) is
    /// resumed. Works on a result decoded in another process.
    public func resume(
        _ run: WorkflowResult, nodeID: String? = nil, action: String? = nil, output: JSONValue = .null
    ) async throws(FlowRuntimeError) -> WorkflowResult {
        let driver = try makeDriver(run)
        if let message = driver.resumeRefusal(nodeID: nodeID, action: action) {
            throw .unroutedResume(runID: run.runID, message: message)
        }
        guard let result = await driver.resume(nodeID: nodeID, action: action, output: output) else {
            throw .nothingToResume(runID: run.runID, nodeID: nodeID)
        }
        return await withHistoryRoom(result)
    }

    /// The time a history entry is stamped with: ``clock``'s ``RuntimeClock/now()``.
    @inline(__always)
    func historyNow() -> Int64 { clockIsSystem ? SystemClock.readRealtime() : options.clock.now() }

    /// Resumes the due `sleep` nodes of an awaiting run, first sleeping on `clock` until the
    /// earliest one is due.
    public func wake(_ run: WorkflowResult) async throws(FlowRuntimeError) -> WorkflowResult {
        guard let wakeAt = run.nextWakeAt else { throw .nothingToResume(runID: run.runID, nodeID: nil) }
        let now = clock.now()
        if wakeAt > now {
            do {
                try await clock.sleep(milliseconds: wakeAt - now)
            } catch {
                return run
            }
        }
        let driver = try makeDriver(run)
        return await withHistoryRoom(await driver.wakeDueSleeps())
    }

    /// Wakes sleeps until the run completes, fails, or waits for an external `resume` (a `wait`).
    public func settle(_ run: WorkflowResult) async throws(FlowRuntimeError) -> WorkflowResult {
        var current = run
        while current.status == .awaiting, current.nextWakeAt != nil, !Task.isCancelled {
            current = try await wake(current)
        }
        return current
    }

    // MARK: - Internals

    private func makeDriver(_ run: WorkflowResult) throws(FlowRuntimeError) -> RunDriver {
        guard run.status == .awaiting, let snapshot = run.snapshot else {
            throw .notAwaiting(runID: run.runID, status: run.status)
        }
        return try RunDriver(runtime: self, snapshot: snapshot)
    }

    /// The earliest due sleep in a snapshot tree.
    static func earliestWake(_ snapshot: RunSnapshot) -> Int64? {
        var best: Int64?
        for item in snapshot.scheduler.awaiting {
            var candidate: Int64?
            switch item.reason {
            case .sleep(let at): candidate = at
            case .subflow: candidate = snapshot.children[item.nodeID].flatMap(earliestWake)
            case .wait: candidate = nil
            }
            if let c = candidate, best.map({ c < $0 }) ?? true { best = c }
        }
        return best
    }

    /// A run id: a random prefix drawn once per process and a counter, both in base 62
    /// (`0-9A-Za-z`, in that order: ids of one process sort in the order they were made), unique
    /// without a system-RNG call per run. 15 characters (8 for the prefix: about 47 random bits, 7
    /// for the counter: 3.5 × 10¹² runs before it widens): a Swift string of at most 15 UTF-8 bytes
    /// is stored inline, so the id is no object — nothing the history's thread, which writes it,
    /// and the run's thread, which made it, both count references to (a 32-character id was: its
    /// reference count shared a cache line with the run's next objects, and cost the run a miss
    /// whenever the store had just touched it).
    static func makeRunID() -> String {
        let n = runCounter.add(1, ordering: .relaxed).newValue
        return runIDPrefix + base62(n, width: 7)
    }

    private static let runIDPrefix = base62(UInt64.random(in: 0..<218_340_105_584_896), width: 8)  // 62⁸
    private static let runCounter = Atomic<UInt64>(0)

    /// `v` in base 62, at least `width` digits (zeros in front), written in place (no array).
    static func base62(_ v: UInt64, width: Int) -> String {
        var digits = 1
        var rest = v / 62
        while rest > 0 {
            digits += 1
            rest /= 62
        }
        let length = max(width, digits)
        return String(unsafeUninitializedCapacity: length) { buffer in
            var v = v
            for i in stride(from: length - 1, through: 0, by: -1) {
                let d = UInt8(v % 62)
                v /= 62
                // 0-9, then A-Z (65 = 55 + 10), then a-z (97 = 61 + 36).
                buffer[i] = d < 10 ? 48 + d : d < 36 ? 55 + d : 61 + d
            }
            return length
        }
    }
}

/// Misuse of the runtime API (node failures are reported in `WorkflowResult`, not thrown).
public enum FlowRuntimeError: Error, Sendable, Hashable, CustomStringConvertible {
    /// No blueprint with this id is loaded.
    case unknownBlueprint(String)
    /// `resume` of a run that is not paused.
    case notAwaiting(runID: String, status: WorkflowStatus)
    /// `resume` naming a node that is not paused.
    case nothingToResume(runID: String, nodeID: String?)
    /// A snapshot refers to a blueprint or node this runtime does not have.
    case incompatibleSnapshot(String)
    /// `resume` with an action the paused `wait` node's edges do not route (and no default edge):
    /// refused before anything changed (`RoutingRules`).
    case unroutedResume(runID: String, message: String)
    /// `redrive` of a run that cannot be redriven (``RedriveRules/Refusal``): nothing changed.
    case redriveRefused(RedriveRules.Refusal)

    public var description: String {
        switch self {
        case .unknownBlueprint(let id): return "no blueprint with id '\(id)' is loaded"
        case .notAwaiting(let runID, let status): return "run '\(runID)' is \(status.rawValue), not awaiting"
        case .nothingToResume(let runID, let nodeID):
            if let nodeID { return "run '\(runID)' has no paused node '\(nodeID)'" }
            return "run '\(runID)' has no paused node to resume"
        case .incompatibleSnapshot(let message): return "cannot resume: \(message)"
        case .unroutedResume(let runID, let message): return "run '\(runID)' cannot be resumed: \(message)"
        case .redriveRefused(let refusal): return refusal.description
        }
    }
}

/// A run started with `FlowRuntime.start`.
public struct RunHandle: Sendable {
    /// The run's id.
    public let runID: String
    let task: Task<Result<WorkflowResult, FlowRuntimeError>, Never>

    /// Cancels the run: running nodes see cancellation, no new node starts, and the result has
    /// status `.cancelled` with the context as it was.
    public func cancel() { task.cancel() }

    /// Waits for the run's result.
    public func result() async throws(FlowRuntimeError) -> WorkflowResult {
        try await task.value.get()
    }
}

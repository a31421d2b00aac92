import Foundation
@testable import Flowcraft
@testable import FlowcraftRedis
import FlowcraftScenarios
import Testing

/// Runs the runtime's semantics scenarios through Redis: a distributed worker on a queue of its own,
/// the run started with ``WorkflowClient``, `resume` steps through the client. `wake` and
/// `persistAndReload` need no action here: a distributed run is durable by construction and its
/// sleeps are delayed jobs the worker picks up when due.
///
/// The outcome carries the events the worker and the client emitted (one handler for both: they run
/// in this process) and no virtual-clock sleeps.
struct RedisScenarioEngine: ScenarioEngine {
    var retryMode: DistributedRetryMode = .inProcess
    /// The Redis to run on; the shared test Redis when `nil`.
    var configuration: RedisConfiguration?
    /// The worker's and client's connections, when not the shared test Redis.
    var redis: DistributedTestSupport.RedisConfigurations?
    /// The queue's layout (the single layout when `nil`).
    var layout: QueueLayout?

    func execute(_ scenario: WorkflowScenario) async throws -> ScenarioOutcome {
        let probe = ScenarioProbe()
        let events = PthreadMutex<[WorkflowEvent]>([])
        let queue = DistributedTestSupport.uniqueQueue("scenario")
        let blueprints = scenario.blueprints
        var registry = scenario.makeRegistry(probe)
        // `cancelWhenStarted`: the node signals its start, and the engine cancels the run then.
        let (started, startedContinuation) = AsyncStream<Void>.makeStream()
        if let cancelNode = scenario.cancelWhenStarted,
            let node = blueprints.first(where: { $0.id == scenario.blueprintID })?.nodes.first(where: { $0.id == cancelNode }),
            let implementation = registry.implementation(for: node.uses)
        {
            registry.register(node.uses) { ctx in
                if ctx.nodeID == cancelNode { startedContinuation.yield() }
                return try await implementation.run(ctx)
            }
        }
        let (final, intermediate) = try await DistributedTestSupport.withWorker(
            blueprints: blueprints, registry: registry, queue: queue, retryMode: retryMode,
            middleware: scenario.middleware(probe), eventHandler: { event in events.withLock { $0.append(event) } },
            sizeLimits: scenario.sizeLimits, redis: redis, configuration: configuration, layout: layout
        ) { workflows, client in
            let runID = try await workflows.startWorkflow(blueprintID: scenario.blueprintID, context: scenario.context)
            if scenario.cancelWhenStarted != nil {
                for await _ in started {
                    try await workflows.cancel(runID)
                    break
                }
            }
            var result = try await Self.result(runID, scenario: scenario, workflows: workflows, client: client)
            var intermediate = [result]
            for step in scenario.steps {
                switch step {
                case .resume(let nodeID, let action, let output):
                    try await workflows.resume(runID, nodeID: nodeID, action: action, output: output)
                    result = try await Self.result(runID, scenario: scenario, workflows: workflows, client: client)
                case .persistAndReload:
                    // Durable by construction: the run's state as it stands (a `wait` keeps it awaiting).
                    result = try await Self.result(runID, scenario: scenario, workflows: workflows, client: client)
                case .wake:
                    result = try await Self.result(
                        runID, scenario: scenario, workflows: workflows, client: client, returnWhenAwaiting: false)
                case .pause(let milliseconds):
                    try await Task.sleep(for: .milliseconds(milliseconds))
                case .redrive:
                    do {
                        try await workflows.redrive(runID)
                        result = try await Self.result(runID, scenario: scenario, workflows: workflows, client: client)
                    } catch let error as DistributedError where error.cause == .notRedrivable {
                        probe.record("redrive refused: \(error)")
                    }
                }
                intermediate.append(result)
            }
            return (result, intermediate)
        }
        return ScenarioOutcome(result: final, intermediate: intermediate, events: events.withLock { $0 }, clockSleeps: [], probe: probe)
    }

    /// The run's state as a `WorkflowResult`.
    static func result(
        _ runID: String, scenario: WorkflowScenario, workflows: WorkflowClient, client: RedisClient,
        returnWhenAwaiting: Bool = true
    ) async throws -> WorkflowResult {
        // (Generous: the heavy pass runs several clusters, chaos and Sentinel suites beside this one.)
        let status = try await workflows.result(runID, timeout: .seconds(60), returnWhenAwaiting: returnWhenAwaiting)
        var context = status.context
        var awaiting: [AwaitingNode] = []
        var snapshot: RunSnapshot?
        if status.status == .awaiting {
            // As `WorkflowResult.context`: without the engines' bookkeeping.
            context = ContextKeys.visible(try await RedisWorkflowState(runID: runID, client: client).snapshot())
            let catalog = try BlueprintCatalog(scenario.blueprints)
            let paused = try await pausedTree(runID, blueprintID: scenario.blueprintID, catalog: catalog, client: client)
            awaiting = paused.scheduler.awaiting.map { AwaitingNode(nodeID: $0.nodeID, reason: $0.reason) }
            snapshot = paused
        }
        var errors: [WorkflowError] = []
        if status.status == .failed {
            let node = scenario.blueprints.first { $0.id == scenario.blueprintID }?.nodes.first { $0.id == status.nodeID }
            errors.append(WorkflowError(
                blueprintID: scenario.blueprintID, nodeID: status.nodeID, location: node?.location,
                message: status.reason ?? "", attempts: status.attempts ?? 0))
        }
        guard let workflowStatus = WorkflowStatus(rawValue: status.status.rawValue) else {
            throw DistributedError("run '\(runID)' is still \(status.status.rawValue)")
        }
        return WorkflowResult(
            runID: runID, blueprintID: scenario.blueprintID, status: workflowStatus, context: context,
            errors: errors, awaiting: awaiting, snapshot: snapshot)
    }

    /// The paused nodes of a distributed run and of the child runs of its awaiting subflow nodes, in
    /// the in-memory engine's snapshot shape (only `scheduler.awaiting` and `children` are filled),
    /// so scenario checks read the same facts from either engine.
    static func pausedTree(
        _ runID: String, blueprintID: String, catalog: BlueprintCatalog, client: RedisClient, depth: Int = 0
    ) async throws -> RunSnapshot {
        let plan = try catalog.blueprint(id: blueprintID, version: nil)
        let members = try await client.send(["SMEMBERS", DistributedKeys(runID: runID).awaiting]).array ?? []
        let entries = members.compactMap(\.string).compactMap(NodeInstance.init(member:)).sorted { $0.description < $1.description }
        var scheduler = RunScheduler(plan: plan)
        var children: [String: RunSnapshot] = [:]
        for entry in entries {
            guard let n = plan.nodeIndex[entry.nodeID] else { continue }
            if plan.builtins[n] == .subflow, let child = plan.nodes[n].params["blueprintId"]?.stringValue {
                scheduler.suspend(.node(n), nodeID: entry.nodeID, reason: .subflow)
                children[entry.nodeID] = try await pausedTree(
                    SubflowParentLink.childRunID(parent: runID, node: entry), blueprintID: child, catalog: catalog,
                    client: client, depth: depth + 1)
            } else {
                scheduler.suspend(.node(n), nodeID: entry.nodeID, reason: .wait)
            }
        }
        return RunSnapshot(
            runID: runID, blueprintID: blueprintID, scheduler: scheduler, context: [:], children: children, depth: depth)
    }
}

/// The runtime's scenario suite against the distributed engine.
@Suite("Distributed engine semantics scenarios", .requiresRedis)
struct DistributedScenarioTests {
    /// Scenarios the distributed engine does not support yet (reported, not hidden).
    static let unsupported: Set<String> = []

    /// Scenarios whose extra check reads in-memory events, the virtual clock, or expects a `sleep` to
    /// pause the run as `awaiting` (distributed sleeps are delayed jobs: the run stays running).
    static let eventChecks: Set<String> = [
        "maxRetries is total attempts; backoff grows exponentially with jitter",
        "a loop re-entered through a sleep and a loop-back edge runs each iteration",
        // Its 5 s sleep really elapses here (a delayed job); the check reads the virtual clock.
        "sleep pauses the run durably; a new runtime wakes it from the serialized state",
    ]

    /// Scenarios whose expected events are a `sleep` pausing the run (`workflow:pause`): a
    /// distributed sleep is a delayed job, so the run keeps running and pauses never.
    static let sleepPauseEvents: Set<String> = [
        "sleep pauses the run durably; a new runtime wakes it from the serialized state",
    ]

    static var supported: [WorkflowScenario] {
        WorkflowScenarios.all.filter { !unsupported.contains($0.name) }
    }

    /// `scenario` with the expectations this engine cannot meet left out, as the tests below run it.
    /// Queue retry mode meets the same event expectations (BullMQ's attempts announce themselves as
    /// the in-process loop's do: `node:error` with `willRetry`, then `node:retry`).
    static func adapted(_ scenario: WorkflowScenario) -> WorkflowScenario {
        var adapted = scenario
        if eventChecks.contains(scenario.name) { adapted.expectation.check = { _ in [] } }
        if sleepPauseEvents.contains(scenario.name) {
            adapted.expectation.eventSequence = []
            adapted.expectation.eventCounts = []
        }
        return adapted
    }

    @Test(arguments: supported)
    func scenario(_ scenario: WorkflowScenario) async throws {
        let problems = try await Self.problems(scenario, engine: RedisScenarioEngine())
        #expect(problems.isEmpty, "\(scenario.name): \(problems.joined(separator: "; "))")
    }

    /// The resilience, fallback/join and identifier scenarios (and the batch worker's item index) again
    /// with retries as BullMQ attempts with backoff.
    @Test(arguments: ResilienceScenarios.all + FallbackJoinScenarios.all + IdentifierScenarios.all
        + RedriveScenarios.all + FailureEventScenarios.all + [BuiltinScenarios.batchWorkerReadsItsIndex])
    func queueRetryMode(_ scenario: WorkflowScenario) async throws {
        let problems = try await Self.problems(scenario, engine: RedisScenarioEngine(retryMode: .queue))
        #expect(problems.isEmpty, "\(scenario.name) (queue retries): \(problems.joined(separator: "; "))")
    }

    /// The data-flow scenarios again with retries as BullMQ attempts (their fallbacks take over
    /// after the queue's last attempt).
    @Test(arguments: DataFlowScenarios.all)
    func dataFlowInQueueRetryMode(_ scenario: WorkflowScenario) async throws {
        let outcome = try await RedisScenarioEngine(retryMode: .queue).execute(scenario)
        let problems = scenario.verify(outcome)
        #expect(problems.isEmpty, "\(scenario.name) (queue retries): \(problems.joined(separator: "; "))")
    }

    /// Runs a scenario with the distributed engine's adaptations (see ``eventChecks``) and returns
    /// what did not match.
    static func problems(_ scenario: WorkflowScenario, engine: RedisScenarioEngine) async throws -> [String] {
        let adapted = adapted(scenario)
        let outcome = try await engine.execute(adapted)
        return adapted.verify(outcome)
    }
}

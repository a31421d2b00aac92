import Foundation
import Flowcraft
@testable import FlowcraftRedis
import Testing

/// Shared pieces of the tests below: a node's commit rides on the call that completes its job
/// (``FinishStep``), so each node job's `returnvalue` is its commit's outcome.
enum NodeFinishStepSupport {
    /// The node jobs of `queue` that completed, by node id, each with its `returnvalue`.
    static func completedNodeJobs(_ client: RedisClient, queue: String) async throws -> [(node: String, value: JSONValue)] {
        let queueAPI = try Queue(name: queue, client: client)
        let ids = try await client.send(["ZRANGE", "bull:\(queue):completed", "0", "-1"]).array?.compactMap(\.string) ?? []
        var jobs: [(node: String, value: JSONValue)] = []
        for id in ids {
            guard let job = try await queueAPI.getJob(id), let value = job.returnValue else { continue }
            jobs.append((value["nodeId"]?.stringValue ?? "", value))
        }
        return jobs
    }

    /// Counts calls of a node implementation.
    final class Calls: Sendable {
        private let counts = PthreadMutex<[String: Int]>([:])
        func count(_ name: String) { counts.withLock { $0[name, default: 0] += 1 } }
        subscript(_ name: String) -> Int { counts.withLock { $0[name, default: 0] } }
    }
}

/// One script call per node job, counted in `INFO commandstats` of a Redis of the test's own (a shared
/// one counts every parallel test's calls).
@Suite("Node commits in the job's finishing call", .requiresRedisServerBinary)
struct NodeFinishStepCallTests {
    /// `calls` of `cmdstat_<command>` in `INFO commandstats` (0 when the command never ran).
    static func calls(_ client: RedisClient, _ command: String) async throws -> Int {
        let info = try await client.send(["INFO", "commandstats"]).string ?? ""
        guard let line = info.split(whereSeparator: \.isNewline).first(where: { $0.hasPrefix("cmdstat_\(command):") }),
            let field = line.split(separator: ":", maxSplits: 1).last?.split(separator: ",").first(where: { $0.hasPrefix("calls=") })
        else { return 0 }
        return Int(field.dropFirst("calls=".count)) ?? 0
    }

    /// Waits until the worker of `queue` is idle: its first stalled sweep ran (`stalled-check` is set
    /// for the whole, long, interval) and its marker connection is blocked in `BZPOPMIN` — reached
    /// only after the idle slot's last fetch found nothing. From then on it makes no script call until
    /// a job is added.
    static func waitUntilIdle(_ client: RedisClient, queue: String) async throws {
        var seen = (sweep: false, commands: [Substring]())
        let idle = try await QueueTestSupport.eventually(within: 20 * Double(TestTiming.scale)) {
            seen.sweep = try await client.send(["EXISTS", "bull:\(queue):stalled-check"]).int == 1
            let clients = try await client.send(["CLIENT", "LIST"]).string ?? ""
            let lines = clients.split(whereSeparator: \.isNewline).map { $0.split(separator: " ") }
            seen.commands = lines.map { fields in fields.filter { $0.hasPrefix("cmd=") || $0.hasPrefix("flags=") }.joined(separator: " ")[...] }
            return seen.sweep
                && lines.contains { fields in
                    fields.contains("cmd=bzpopmin")
                        && fields.contains { $0.hasPrefix("flags=") && $0.dropFirst("flags=".count).contains("b") }
                }
        }
        if !idle {
            Issue.record(
                "the worker of \(queue) never became idle: stalled sweep ran: \(seen.sweep); connections: \(seen.commands.joined(separator: ", "))")
        }
    }

    @Test("every node job of a diamond makes one script call: its commit, its completion and the next fetch")
    func oneScriptCallPerNodeJob() async throws {
        var registry = NodeRegistry()
        registry.register("noop") { ctx in NodeResult(output: .string(ctx.nodeID)) }
        let diamond = DistributedTestSupport.diamond()
        let single = WorkflowBlueprint(id: "single", nodes: [NodeDefinition(id: "only", uses: "noop")], edges: [])
        try await PrivateRedisServer.with { server in
            let client = RedisClient(configuration: server.configuration(), poolSize: 2)
            let queue = DistributedTestSupport.uniqueQueue("onecall")
            let options = DistributedOptions(queueName: queue, stateTTLSeconds: 600)
            // One slot, and no background script call while the test measures: the lock renewal and
            // the stalled sweep wait minutes, an idle slot waits on the marker for a minute.
            let worker = try DistributedWorker(
                blueprints: [diamond, single], registry: registry, client: client, options: options,
                workerOptions: WorkerOptions(concurrency: 1, lockDuration: 300_000, stalledInterval: 600_000, drainDelay: 60))
            worker.start()
            let workflows = try WorkflowClient(client: client, blueprints: [diamond, single], options: options)
            do {
                /// Script calls (EVALSHA, and EVAL fallbacks) from idle to idle around one run.
                func scriptCalls(of blueprint: WorkflowBlueprint) async throws -> (calls: Int, fallbacks: Int, status: DistributedRunStatus) {
                    try await Self.waitUntilIdle(client, queue: queue)
                    let (evalsha, eval) = (try await Self.calls(client, "evalsha"), try await Self.calls(client, "eval"))
                    let runID = try await workflows.startWorkflow(blueprint)
                    let status = try await workflows.result(runID, timeout: TestTiming.seconds(20))
                    try await Self.waitUntilIdle(client, queue: queue)
                    let fallbacks = try await Self.calls(client, "eval") - eval
                    return (try await Self.calls(client, "evalsha") - evalsha + fallbacks, fallbacks, status)
                }
                // A run's fixed cost: its start (1) and the idle slot's fetch of the first job once
                // the marker woke it (1). Every node job adds exactly one call: its commit, its job's
                // completion and the fetch of the next job; after the last one the slot waits on the
                // marker without an empty fetch. The diamond's commits that enqueue successors set the
                // marker while the only slot is busy: once idle, the slot is woken by it for one empty
                // fetch (1). (A commit of its own per node would make it 5 and 13.)
                let one = try await scriptCalls(of: single)
                #expect(one.status.status == .completed)
                #expect(one.fallbacks == 0)
                #expect(one.calls == 2 + 1, "a one-node run made \(one.calls) script calls")
                let five = try await scriptCalls(of: diamond)
                #expect(five.status.status == .completed)
                #expect(five.fallbacks == 0)
                #expect(five.calls == 2 + 5 + 1, "a five-node run made \(five.calls) script calls")

                // Each node job's return value is its commit's outcome, written by the same call.
                let jobs = try await NodeFinishStepSupport.completedNodeJobs(client, queue: queue)
                #expect(jobs.map(\.node).sorted() == ["a", "b", "c", "d", "e", "only"])
                for (node, value) in jobs {
                    let run: JSONValue = node == "e" || node == "only" ? "completed" : "running"
                    #expect(value == ["nodeId": .string(node), "commit": "committed", "run": run], "\(node): \(value)")
                }
            } catch {
                await worker.close()
                await client.close()
                throw error
            }
            await worker.close()
            await client.close()
        }
    }
}

/// The `advance` mode of never-parked nodes skips the awaiting bookkeeping, yet still settles a run as
/// `awaiting` when what is left is parked.
@Suite("Never-parked nodes and parked waits", .requiresRedis)
struct AdvanceAwaitingTests {
    typealias Support = DistributedTestSupport

    /// `noop`, and `slow`, the parallel branch of a wait. With an `observer` (a connection to the run's
    /// Redis) `slow` returns only once the run's `w#0` is parked, so it commits last however its job and
    /// the wait's are scheduled (a fixed sleep does not order them on a loaded machine); without one (the
    /// in-memory engine) it sleeps 300 ms.
    static func registry(_ calls: NodeFinishStepSupport.Calls, observer: RedisClient? = nil) -> NodeRegistry {
        var registry = NodeRegistry()
        registry.register("noop") { ctx in
            calls.count(ctx.nodeID)
            return NodeResult(output: .string(ctx.nodeID))
        }
        registry.register("slow") { ctx in
            calls.count(ctx.nodeID)
            if let observer {
                try await waitForMember(observer, of: DistributedKeys(runID: ctx.runID).awaiting, "w#0")
            } else {
                try await Task.sleep(for: .milliseconds(300))
            }
            return NodeResult(output: .string(ctx.nodeID))
        }
        return registry
    }

    /// Waits until `member` is in the set `key` (records an issue after 20 s).
    static func waitForMember(_ observer: RedisClient, of key: String, _ member: String) async throws {
        let found = try await QueueTestSupport.eventually(within: 20) {
            try await observer.send(["SISMEMBER", key, member]).int == 1
        }
        if !found { Issue.record("\(member) never entered \(key)") }
    }

    /// The `returnvalue` of the job of `node` (the first completed one).
    static func jobValue(_ client: RedisClient, queue: String, node: String) async throws -> JSONValue? {
        try await NodeFinishStepSupport.completedNodeJobs(client, queue: queue).first { $0.node == node }?.value
    }

    /// start → w (wait), start → slow; w (on approve) and slow → end (an `all` join).
    static let parkedFirst = WorkflowBlueprint(
        id: "parkedfirst",
        nodes: [
            NodeDefinition(id: "start", uses: "noop"), NodeDefinition(id: "w", uses: "wait"),
            NodeDefinition(id: "slow", uses: "slow"), NodeDefinition(id: "end", uses: "noop"),
        ],
        edges: [
            EdgeDefinition(source: "start", target: "w"), EdgeDefinition(source: "start", target: "slow"),
            EdgeDefinition(source: "w", target: "end", action: "approve"), EdgeDefinition(source: "slow", target: "end"),
        ])

    @Test("a plain node finishing last while a wait is parked leaves the run awaiting; the resume completes it")
    func plainNodeFinishesLast() async throws {
        let blueprint = Self.parkedFirst
        let calls = NodeFinishStepSupport.Calls()
        let queue = Support.uniqueQueue("advawait")
        try await TestRedis.withClient { observer in
            try await Support.withWorker(blueprints: [blueprint], registry: Self.registry(calls, observer: observer), queue: queue) { workflows, client in
                let runID = try await workflows.startWorkflow(blueprint)
                let keys = DistributedKeys(runID: runID)
                // `slow` commits after `w` parked: its completion (mode `advance`) must settle the run.
                let paused = try await workflows.result(runID, timeout: TestTiming.seconds(20))
                #expect(paused.status == .awaiting)
                #expect(try await client.send(["SISMEMBER", keys.done, "slow#0"]).int == 1)
                #expect(try await client.send(["SMEMBERS", keys.awaiting]).array?.compactMap(\.string) == ["w#0"])
                #expect(try await client.send(["SMEMBERS", keys.pending]).array?.compactMap(\.string) == ["w#0"])
                // The plain node's own commit is what made the run awaiting.
                let slow = try await Self.jobValue(client, queue: queue, node: "slow")
                #expect(slow == ["nodeId": "slow", "commit": "committed", "run": "awaiting"])
                #expect(calls["end"] == 0)
                // Still awaiting a moment later (nothing else moves it).
                try await Task.sleep(for: .milliseconds(200))
                #expect(try await workflows.status(runID)?.status == .awaiting)

                try await workflows.resume(runID, action: "approve", output: "yes")
                let final = try await workflows.result(runID, timeout: TestTiming.seconds(20))
                #expect(final.status == .completed)
                #expect(final.context["_outputs.end"] == "end")
                #expect(final.context["_outputs.w"] == "yes")
                #expect(try await client.send(["SCARD", keys.done]).int == 4)
            }
        }
        #expect(calls["end"] == 1)
        #expect(calls["slow"] == 1)
        #expect(calls["start"] == 1)
    }

    @Test("the plain node's completion that leaves the run awaiting emits workflow:pause, as the in-memory engine does")
    func plainNodeFinishingLastPausesTheRun() async throws {
        let blueprint = Self.parkedFirst
        // The in-memory engine: one workflow:pause, naming the parked wait.
        let memoryEvents = DistributedEventTests.Recorder()
        let memory = try await FlowRuntime(
            blueprints: [blueprint], registry: Self.registry(NodeFinishStepSupport.Calls()),
            options: FlowRuntime.Options(eventHandler: memoryEvents.handler)).run(blueprint.id)
        #expect(memory.status == .awaiting)
        let memoryPauses = memoryEvents.events.withLock { $0.filter { $0.type == .workflowPause } }
        #expect(memoryPauses.map(\.payload) == [["awaiting": ["w"]]])

        let recorder = DistributedEventTests.Recorder()
        let queue = Support.uniqueQueue("advpause")
        try await TestRedis.withClient { observer in
            try await Support.withWorker(
                blueprints: [blueprint], registry: Self.registry(NodeFinishStepSupport.Calls(), observer: observer), queue: queue,
                eventHandler: recorder.handler
            ) { workflows, client in
                let runID = try await workflows.startWorkflow(blueprint)
                #expect(try await workflows.result(runID, timeout: TestTiming.seconds(20)).status == .awaiting)
                // `slow`'s commit (mode `advance`, not `await`) made the run awaiting: its completion
                // pauses the run. (The event follows the commit's reply, which may come after the status.)
                let slow = try await Self.jobValue(client, queue: queue, node: "slow")
                #expect(slow == ["nodeId": "slow", "commit": "committed", "run": "awaiting"])
                try await QueueTestSupport.expectEventually(within: 5) { recorder.count(.workflowPause) >= 1 }
                // No second one a moment later.
                try await Task.sleep(for: .milliseconds(200))
                let pauses = recorder.events.withLock { $0.filter { $0.type == .workflowPause } }
                #expect(pauses.count == 1)
                #expect(pauses.first?.runID == runID)
                #expect(pauses.first?.blueprintID == blueprint.id)
                #expect(pauses.first?.payload == ["awaiting": ["w"]])
                #expect(pauses.map(\.payload) == memoryPauses.map(\.payload))
                // After slow's node:finish, with no workflow:finish.
                let events = recorder.events.withLock { $0 }
                let slowFinish = events.firstIndex { $0.type == .nodeFinish && $0.nodeID == "slow" }
                let pause = events.firstIndex { $0.type == .workflowPause }
                #expect(slowFinish != nil && pause != nil && slowFinish! < pause!)
                #expect(recorder.count(.workflowFinish) == 0)

                try await workflows.resume(runID, action: "approve", output: "yes")
                #expect(try await workflows.result(runID, timeout: TestTiming.seconds(20)).status == .completed)
            }
        }
        // The resumed run finished without pausing again.
        #expect(recorder.count(.workflowPause) == 1)
        #expect(recorder.count(.workflowFinish) == 1)
    }

    @Test("a plain node finishing before the wait parks leaves the run running; the wait parking makes it awaiting")
    func waitParksLast() async throws {
        // start → pre → w (wait), start → quick; w (on approve) and quick → end (an `all` join). `pre`
        // returns only once `quick` committed, so `w` parks last however the two jobs are scheduled.
        let blueprint = WorkflowBlueprint(
            id: "parkedlast",
            nodes: [
                NodeDefinition(id: "start", uses: "noop"), NodeDefinition(id: "pre", uses: "afterQuick"),
                NodeDefinition(id: "w", uses: "wait"), NodeDefinition(id: "quick", uses: "noop"),
                NodeDefinition(id: "end", uses: "noop"),
            ],
            edges: [
                EdgeDefinition(source: "start", target: "pre"), EdgeDefinition(source: "pre", target: "w"),
                EdgeDefinition(source: "start", target: "quick"),
                EdgeDefinition(source: "w", target: "end", action: "approve"), EdgeDefinition(source: "quick", target: "end"),
            ])
        let calls = NodeFinishStepSupport.Calls()
        let queue = Support.uniqueQueue("advlast")
        try await TestRedis.withClient { observer in
            var registry = Self.registry(calls)
            registry.register("afterQuick") { ctx in
                calls.count(ctx.nodeID)
                try await Self.waitForMember(observer, of: DistributedKeys(runID: ctx.runID).done, "quick#0")
                return NodeResult(output: .string(ctx.nodeID))
            }
            try await Support.withWorker(blueprints: [blueprint], registry: registry, queue: queue) { workflows, client in
                let runID = try await workflows.startWorkflow(blueprint)
                let keys = DistributedKeys(runID: runID)
                let paused = try await workflows.result(runID, timeout: TestTiming.seconds(20))
                #expect(paused.status == .awaiting)
                #expect(try await client.send(["SMEMBERS", keys.awaiting]).array?.compactMap(\.string) == ["w#0"])
                // `quick` committed while `pre` still ran: the run stayed running then.
                #expect(try await Self.jobValue(client, queue: queue, node: "quick") == ["nodeId": "quick", "commit": "committed", "run": "running"])
                #expect(try await Self.jobValue(client, queue: queue, node: "pre") == ["nodeId": "pre", "commit": "committed", "run": "running"])
                // (Once seen failing under load, the value not kept: the message lists every
                // completed node job's value and the node calls, to tell a redelivery from a wrong status.)
                let completed = try await NodeFinishStepSupport.completedNodeJobs(client, queue: queue)
                #expect(
                    completed.first { $0.node == "w" }?.value == ["nodeId": "w", "commit": "committed", "run": "awaiting"],
                    "completed node jobs: \(completed.map(\.value)); calls: pre \(calls["pre"]), quick \(calls["quick"]), w \(calls["w"])")
                #expect(calls["end"] == 0)

                try await workflows.resume(runID, action: "approve", output: "yes")
                let final = try await workflows.result(runID, timeout: TestTiming.seconds(20))
                #expect(final.status == .completed)
                #expect(final.context["_outputs.end"] == "end")
                #expect(try await client.send(["SCARD", keys.done]).int == 5)
            }
        }
        #expect(calls["end"] == 1)
        #expect(calls["quick"] == 1)
    }
}

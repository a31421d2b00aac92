import Foundation
import Flowcraft
@testable import FlowcraftRedis
import Testing

#if canImport(Glibc)
import Glibc
#endif

/// The distributed engine's event stream: the in-memory engine's `workflow:*`, `node:*` and
/// `context:change` events, emitted by the process that caused them, once per committed change.
@Suite("Distributed engine events", .requiresRedis)
struct DistributedEventTests {
    final class Recorder: Sendable {
        let events = PthreadMutex<[WorkflowEvent]>([])
        var handler: WorkflowEventHandler { { [self] event in events.withLock { $0.append(event) } } }
        func count(_ type: WorkflowEventType, _ nodeID: String? = nil) -> Int {
            events.withLock { $0.filter { $0.type == type && (nodeID == nil || $0.nodeID == nodeID) }.count }
        }
        var types: [WorkflowEventType] { events.withLock { $0.map(\.type) } }
    }

    struct Kaput: Error, CustomStringConvertible {
        var description: String { "kaput" }
    }

    @Test("a diamond run emits start, one start and finish per node, and one finish")
    func diamondRun() async throws {
        let recorder = Recorder()
        var registry = NodeRegistry()
        registry.register("noop") { ctx in NodeResult(output: .string(ctx.nodeID)) }
        let blueprint = DistributedTestSupport.diamond()
        let status = try await DistributedTestSupport.withWorker(
            blueprints: [blueprint], registry: registry, queue: DistributedTestSupport.uniqueQueue("events"),
            eventHandler: recorder.handler
        ) { workflows, _ in
            let runID = try await workflows.startWorkflow(blueprintID: "diamond")
            return try await workflows.result(runID, timeout: TestTiming.seconds(20))
        }
        #expect(status.status == .completed)
        #expect(recorder.count(.workflowStart) == 1)
        for node in ["a", "b", "c", "d", "e"] {
            #expect(recorder.count(.nodeStart, node) == 1, "node:start \(node)")
            #expect(recorder.count(.nodeFinish, node) == 1, "node:finish \(node)")
            #expect(recorder.count(.jobProcessed, node) == 1, "job:processed \(node)")
        }
        #expect(recorder.count(.workflowFinish) == 1)
        let types = recorder.types
        #expect(types.first == .workflowStart)
        let finish = try #require(types.firstIndex(of: .workflowFinish))
        let lastNodeFinish = try #require(types.lastIndex(of: .nodeFinish))
        #expect(lastNodeFinish < finish)
    }

    /// Runs a blueprint of one node `x` that always throws ``Kaput``, with `maxRetries` attempts in
    /// `retryMode`, recording its events; returns the run's final status.
    static func runFailingNode(
        maxRetries: Int, retryDelay: Int? = nil, retryMode: DistributedRetryMode = .inProcess, recorder: Recorder
    ) async throws -> DistributedRunStatus {
        var registry = NodeRegistry()
        registry.register("boom") { _ in throw Kaput() }
        var node = NodeDefinition(id: "x", uses: "boom")
        node.config.maxRetries = maxRetries
        node.config.retryDelay = retryDelay
        let blueprint = WorkflowBlueprint(id: "failing", nodes: [node], edges: [])
        return try await DistributedTestSupport.withWorker(
            blueprints: [blueprint], registry: registry, queue: DistributedTestSupport.uniqueQueue("events"),
            retryMode: retryMode, eventHandler: recorder.handler
        ) { workflows, _ in
            let runID = try await workflows.startWorkflow(blueprintID: "failing")
            return try await workflows.result(runID, timeout: TestTiming.seconds(30))
        }
    }

    @Test("a failing run ends with workflow:finish naming the failure; node:error reports each attempt")
    func failingRun() async throws {
        let recorder = Recorder()
        let status = try await Self.runFailingNode(maxRetries: 2, recorder: recorder)
        #expect(status.status == .failed)
        #expect(recorder.count(.nodeError, "x") == 2)
        #expect(recorder.count(.nodeFinish, "x") == 0)
        let finish = recorder.events.withLock { $0.first { $0.type == .workflowFinish } }
        #expect(finish?.payload["status"] == "failed")
        #expect(finish?.payload["errors"]?.arrayValue?.first?.stringValue?.contains("kaput") == true)
    }

    /// In queue retry mode BullMQ makes the next attempt: `node:error` said `willRetry: false` on
    /// every attempt (the job's loop makes one); it now says whether another attempt follows, as in
    /// process.
    @Test("queue retry mode: node:error says willRetry until the node's last attempt")
    func queueModeWillRetry() async throws {
        let recorder = Recorder()
        let status = try await Self.runFailingNode(maxRetries: 3, retryMode: .queue, recorder: recorder)
        #expect(status.status == .failed)
        let errors = recorder.events.withLock { $0.filter { $0.type == .nodeError && $0.nodeID == "x" } }
        #expect(errors.map { $0.payload["attempt"]?.intValue ?? 0 } == [1, 2, 3], "\(errors.map(\.payload))")
        #expect(errors.map { $0.payload["willRetry"]?.boolValue ?? false } == [true, true, false], "\(errors.map(\.payload))")
    }

    /// Between attempts `node:retry` names the next attempt and its delay, in either retry mode (in
    /// queue mode BullMQ waits the job's exponential backoff, as the in-process loop does).
    @Test("node:retry announces each next attempt and its delay, in process and in queue retry mode", arguments: DistributedRetryMode.allCases)
    func retryEvents(mode: DistributedRetryMode) async throws {
        let recorder = Recorder()
        let status = try await Self.runFailingNode(maxRetries: 3, retryDelay: 5, retryMode: mode, recorder: recorder)
        #expect(status.status == .failed)
        let events = recorder.events.withLock { $0.filter { ($0.type == .nodeError || $0.type == .nodeRetry) && $0.nodeID == "x" } }
        #expect(events.map(\.type) == [.nodeError, .nodeRetry, .nodeError, .nodeRetry, .nodeError], "\(events.map(\.type))")
        let retries = events.filter { $0.type == .nodeRetry }
        #expect(retries.map { $0.payload["attempt"]?.intValue ?? 0 } == [2, 3], "\(retries.map(\.payload))")
        // 5 ms, then twice that; the in-process loop adds up to 20 % jitter, the queue's backoff none.
        let delays = retries.map { $0.payload["delayMs"]?.intValue ?? -1 }
        #expect(delays.count == 2 && (5...6).contains(delays[0]) && (10...12).contains(delays[1]), "\(delays)")
        if mode == .queue { #expect(delays == [5, 10]) }
    }

    @Test("a job delivered again after its node committed runs nothing and emits no node events")
    func redeliveredJobEmitsNoNodeEvents() async throws {
        let recorder = Recorder()
        var registry = NodeRegistry()
        registry.register("noop") { ctx in NodeResult(output: .string(ctx.nodeID)) }
        let queue = DistributedTestSupport.uniqueQueue("events")
        try await DistributedTestSupport.withWorker(
            blueprints: [DistributedTestSupport.diamond()], registry: registry, queue: queue, eventHandler: recorder.handler
        ) { workflows, client in
            let runID = try await workflows.startWorkflow(blueprintID: "diamond")
            #expect(try await workflows.result(runID, timeout: TestTiming.seconds(20)).status == .completed)
            // The same node job again, under another job id (as a duplicate delivery would be).
            let again = NodeJobData(runID: runID, blueprintID: "diamond", nodeID: "b")
            let jobs = try Queue(name: queue, client: client)
            _ = try await jobs.add(name: "executeNode", data: again.json, options: JobOptions(jobId: "again-\(runID)"))
            let deadline = ContinuousClock.now + .seconds(10)
            while try await jobs.getState("again-\(runID)") != .completed, ContinuousClock.now < deadline {
                try await Task.sleep(for: .milliseconds(20))
            }
            #expect(try await jobs.getState("again-\(runID)") == .completed)
        }
        #expect(recorder.count(.nodeStart, "b") == 1)
        #expect(recorder.count(.nodeFinish, "b") == 1)
        #expect(recorder.count(.jobProcessed, "b") == 2)
        #expect(recorder.count(.workflowFinish) == 1)
    }

    @Test("a node finishes before its successors start, as every listener sees it")
    func finishBeforeSuccessorStart() async throws {
        let recorder = Recorder()
        var registry = NodeRegistry()
        registry.register("noop") { ctx in NodeResult(output: .string(ctx.nodeID)) }
        try await DistributedTestSupport.withWorker(
            blueprints: [DistributedTestSupport.diamond()], registry: registry,
            queue: DistributedTestSupport.uniqueQueue("events"), concurrency: 16,
            eventHandler: { event in
                // A slow listener widens any window in which a successor could start first.
                if event.type == .nodeFinish { usleep(5_000) }
                recorder.handler(event)
            }
        ) { workflows, _ in
            var runs: [String] = []
            for _ in 0..<20 { runs.append(try await workflows.startWorkflow(blueprintID: "diamond")) }
            for run in runs { #expect(try await workflows.result(run, timeout: TestTiming.seconds(20)).status == .completed) }
        }
        Self.expectFinishBeforeSuccessorStart(recorder)
    }

    /// With the default run-context limit a completion's node events wait for the commit's outcome,
    /// and by then the script has enqueued its successors. Here `c` commits first and its listener
    /// takes 300 ms over its `node:finish`; `b` commits 50 ms later and enqueues the join `d`, which
    /// a job slot of this process (or of a second worker in it, with its own connections) starts at
    /// once. Its `node:start` waits for the held `node:finish` of `c` (``HeldNodeEvents``).
    @Test("a join starts after the held node:finish of a predecessor that committed before the other")
    func joinStartsAfterHeldFinish() async throws {
        let recorder = Recorder()
        var registry = NodeRegistry()
        registry.register("noop") { ctx in
            if ctx.nodeID == "b" { try await Task.sleep(for: .milliseconds(50)) }
            return NodeResult(output: .string(ctx.nodeID))
        }
        let nodes = registry
        let handler: WorkflowEventHandler = { event in
            if event.type == .nodeFinish, event.nodeID == "c" { usleep(300_000) }
            recorder.handler(event)
        }
        let queue = DistributedTestSupport.uniqueQueue("events")
        try await DistributedTestSupport.withWorker(
            blueprints: [DistributedTestSupport.diamond()], registry: registry, queue: queue, concurrency: 4,
            eventHandler: handler
        ) { workflows, _ in
            let otherClient = try TestRedis.client()
            let other = try DistributedWorker(
                blueprints: [DistributedTestSupport.diamond()], registry: nodes, client: otherClient,
                options: DistributedOptions(queueName: queue, eventHandler: handler),
                workerOptions: WorkerOptions(concurrency: 4, drainDelay: 0.2))
            other.start()
            var runs: [String] = []
            for _ in 0..<3 { runs.append(try await workflows.startWorkflow(blueprintID: "diamond")) }
            for run in runs { #expect(try await workflows.result(run, timeout: TestTiming.seconds(30)).status == .completed) }
            await other.close()
            await otherClient.close()
        }
        #expect(recorder.count(.nodeStart, "d") == 3)
        Self.expectFinishBeforeSuccessorStart(recorder)
    }

    /// Every `node:start` of the diamond's successors comes after its predecessors' `node:finish`.
    static func expectFinishBeforeSuccessorStart(_ recorder: Recorder) {
        let events = recorder.events.withLock { $0 }
        for (node, successors) in [("a", ["b", "c"]), ("b", ["d"]), ("c", ["d"]), ("d", ["e"])] {
            for event in events where event.type == .nodeStart && successors.contains(event.nodeID ?? "") {
                let finished = events.firstIndex { $0.type == .nodeFinish && $0.nodeID == node && $0.runID == event.runID }
                let started = events.firstIndex { $0.type == .nodeStart && $0.nodeID == event.nodeID && $0.runID == event.runID }
                #expect(finished != nil && started != nil && finished! < started!, "\(node) before \(event.nodeID ?? "")")
            }
        }
    }
}

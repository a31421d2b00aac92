import Flowcraft
@testable import FlowcraftRedis
import Testing

/// In `inspect`'s timeline (``RunInspection``) a `sleep` spans its delay and a `wait` the time until
/// its resume, in either engine's history. Found by review: both were recorded as 0 ms long, starting
/// when they ended (a 5 s sleep showed "+5.0s 0ms").
@Suite("Sleep and wait nodes in the timeline of both engines", .requiresRedis)
struct ParkedNodeTimelineTests {
    typealias Support = DistributedTestSupport

    /// a → nap (sleep) → ask (wait) → done.
    static func blueprint(sleep milliseconds: Int) -> WorkflowBlueprint {
        WorkflowBlueprint(
            id: "parked",
            nodes: [
                NodeDefinition(id: "a", uses: "noop"),
                NodeDefinition(id: "nap", uses: "sleep", params: ["duration": .int(milliseconds)]),
                NodeDefinition(id: "ask", uses: "wait"), NodeDefinition(id: "done", uses: "noop"),
            ],
            edges: [
                EdgeDefinition(source: "a", target: "nap"), EdgeDefinition(source: "nap", target: "ask"),
                EdgeDefinition(source: "ask", target: "done"),
            ])
    }

    static func registry() -> NodeRegistry {
        var registry = NodeRegistry()
        registry.register("noop") { ctx in NodeResult(output: .string(ctx.nodeID)) }
        return registry
    }

    @Test("in memory, on a virtual clock: the sleep spans exactly its 5 000 ms and starts when the run paused on it")
    func inMemory() async throws {
        let collected = CollectedHistory()
        let runtime = try FlowRuntime(
            blueprints: [Self.blueprint(sleep: 5_000)], registry: Self.registry(),
            options: FlowRuntime.Options(clock: VirtualClock(), history: collected))
        var result = try await runtime.run("parked")
        #expect(result.status == .awaiting)
        result = try await runtime.wake(result)
        #expect(result.status == .awaiting)
        result = try await runtime.resume(result, nodeID: "ask")
        #expect(result.status == .completed)
        await runtime.flushHistory()
        let summary = try #require(collected.summary(of: result.runID))
        let inspection = RunInspection(summary: summary, events: collected.allEvents)
        let nap = try #require(inspection.timeline.first { $0.nodeID == "nap" })
        #expect(nap.durationMs == 5_000, "\(nap)")
        let pausedOnNap = try #require(inspection.pauses.first { $0.kind == .paused && $0.nodes == ["nap"] })
        #expect(nap.startOffsetMs == pausedOnNap.offsetMs, "\(nap) \(inspection.pauses)")
        let ask = try #require(inspection.timeline.first { $0.nodeID == "ask" })
        let pausedOnAsk = try #require(inspection.pauses.first { $0.kind == .paused && $0.nodes == ["ask"] })
        #expect(ask.startOffsetMs == pausedOnAsk.offsetMs, "\(ask) \(inspection.pauses)")
    }

    @Test("distributed: the sleep spans its delay, the wait the time until its resume", arguments: [DistributedRetryMode.inProcess, .queue])
    func distributed(retryMode: DistributedRetryMode) async throws {
        let queue = Support.uniqueQueue("parked")
        let blueprint = Self.blueprint(sleep: 400)
        try await Support.withWorker(blueprints: [blueprint], registry: Self.registry(), queue: queue, retryMode: retryMode) {
            workflows, client in
            let runID = try await workflows.startWorkflow(blueprintID: "parked")
            let paused = try await workflows.result(runID, timeout: TestTiming.seconds(30), returnWhenAwaiting: true)
            #expect(paused.status == .awaiting, "\(paused.json)")
            try await Task.sleep(for: .milliseconds(300))
            try await workflows.resume(runID, nodeID: "ask")
            let final = try await workflows.result(runID, timeout: TestTiming.seconds(30))
            #expect(final.status == .completed, "\(final.json)")
            let history = RedisRunHistory(client: client, queueName: queue)
            let summary = try #require(try await history.run(runID))
            let inspection = RunInspection(summary: summary, events: try await history.events(of: runID))
            // Lower bounds only: the delay and the pause are at least this long, however loaded the machine.
            let nap = try #require(inspection.timeline.first { $0.nodeID == "nap" })
            #expect((nap.durationMs ?? 0) >= 400, "\(nap)")
            let ask = try #require(inspection.timeline.first { $0.nodeID == "ask" })
            #expect((ask.durationMs ?? 0) >= 300, "\(ask) \(inspection.pauses)")
        }
    }
}

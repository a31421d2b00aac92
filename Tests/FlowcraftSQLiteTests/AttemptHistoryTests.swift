import Flowcraft
import FlowcraftSQLite
import Foundation
import Testing

/// Each attempt of a node as the in-memory engine records it (the attempt loop reports the times and
/// errors, as in the distributed engine).
@Suite("In-memory engine attempt history")
struct AttemptHistoryTests {
    @Test func everyTimedOutAttemptNamesTheTimeout() async throws {
        let dir = try TemporaryDirectory()
        defer { dir.remove() }
        let history = try await SQLiteRunHistory(path: dir.path("h.sqlite"))
        var registry = NodeRegistry()
        registry.register("slow") { _ in
            try await Task.sleep(for: .seconds(30))
            return NodeResult(output: "late")
        }
        let runtime = try FlowRuntime(
            blueprints: [
                WorkflowBlueprint(
                    id: "slow",
                    nodes: [NodeDefinition(id: "wait", uses: "slow", config: NodeConfig(maxRetries: 2, timeout: 50))])
            ],
            registry: registry, options: FlowRuntime.Options(clock: VirtualClock(), history: history))
        let result = try await runtime.run("slow", runID: "t-1")
        #expect(result.status == .failed)
        await runtime.flushHistory()

        let events = try await history.events(of: "t-1")
        #expect(events.map(\.label) == ["start", "wait:failed", "end:failed"])
        let wait = try #require(events[1].execution)
        #expect(wait.attempts.map(\.error) == ["timed out after 50 ms", "timed out after 50 ms"])
        #expect(wait.error == "timed out after 50 ms")
    }

    /// A first attempt that succeeds lasts from the node's preparation to its completion; after a
    /// failure every attempt has its own times: the retries start after the backoff slept.
    @Test func retriedAttemptsStartAfterTheirBackoff() async throws {
        let clock = VirtualClock()
        let recorder = HistoryEquivalenceTests.CollectingRecorder()
        let runtime = try FlowRuntime(
            blueprints: EngineHistoryTests.blueprints, registry: EngineHistoryTests.registry(CallCounter()),
            options: FlowRuntime.Options(clock: clock, history: recorder))
        _ = try await runtime.run("orders", context: ["orderId": "A-1"], runID: "run-1")
        await runtime.flushHistory()

        let events = recorder.batches.withLock { $0 }.flatMap(\.events)
        let start = 1_700_000_000_000 as Int64
        let sleeps = clock.recordedSleeps
        #expect(sleeps.count == 2)
        let flaky = try #require(events.first { $0.execution?.nodeID == "flaky" }?.execution)
        #expect(
            flaky.attempts == [
                RunHistoryEvent.Attempt(startedAt: start, endedAt: start, error: "flaky attempt 1"),
                RunHistoryEvent.Attempt(
                    startedAt: start + sleeps[0], endedAt: start + sleeps[0], error: "flaky attempt 2"),
                RunHistoryEvent.Attempt(startedAt: start + sleeps[0] + sleeps[1], endedAt: start + sleeps[0] + sleeps[1]),
            ])
        let risky = try #require(events.first { $0.execution?.nodeID == "risky" }?.execution)
        let now = start + sleeps[0] + sleeps[1]
        #expect(risky.attempts == [RunHistoryEvent.Attempt(startedAt: now, endedAt: now, error: "flaky attempt 0")])
        #expect(risky.error == "flaky attempt 0")
        #expect(events.last?.time == now)
    }

    /// A run handing its history over every event (batch size 1) records the same events, with the
    /// same writes, as one handing it over at the end.
    @Test func handOverEveryEventKeepsTheSameEvents() async throws {
        func events(batchSize: Int) async throws -> [String: [RunHistoryEvent]] {
            let recorder = HistoryEquivalenceTests.CollectingRecorder()
            let runtime = try FlowRuntime(
                blueprints: EngineHistoryTests.blueprints, registry: EngineHistoryTests.registry(CallCounter()),
                options: FlowRuntime.Options(clock: VirtualClock(), history: recorder, historyBatchSize: batchSize))
            let paused = try await runtime.run("orders", context: ["orderId": "A-1"], runID: "run-1")
            _ = try await runtime.resume(paused, action: "ok")
            await runtime.flushHistory()
            var runs: [String: [RunHistoryEvent]] = [:]
            for batch in recorder.batches.withLock({ $0 }) {
                runs[batch.summary.runID, default: []].append(contentsOf: batch.events.map(Self.timeless))
            }
            return runs
        }
        let one = try await events(batchSize: 1)
        let all = try await events(batchSize: 1000)
        #expect(one["run-1"]?.count == 10)
        #expect(one["run-1/child"]?.count == 3)
        #expect(one == all)
    }

    /// The event without its times (retry jitter).
    static func timeless(_ event: RunHistoryEvent) -> RunHistoryEvent {
        var event = event
        event.time = 0
        if case .nodeFinished(var e) = event.kind {
            e.attempts = e.attempts.map { RunHistoryEvent.Attempt(startedAt: 0, endedAt: 0, error: $0.error) }
            event.kind = .nodeFinished(e)
        }
        return event
    }
}

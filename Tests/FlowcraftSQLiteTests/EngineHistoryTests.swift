import Flowcraft
import FlowcraftSQLite
import Foundation
import Testing

/// The in-memory engine recording into a SQLite store, read back through `RunHistoryReader`.
@Suite("In-memory engine history in SQLite")
struct EngineHistoryTests {
    static let location = SourceLocation(file: "orders.yaml", line: 12, column: 5)

    /// flaky (fails twice, then succeeds) → risky (always fails; fallback safe) → approve (wait) →
    /// child (subflow of `inner`) → done.
    static var blueprints: [WorkflowBlueprint] {
        [
            WorkflowBlueprint(
                id: "orders", version: "v3",
                nodes: [
                    NodeDefinition(id: "flaky", uses: "flaky", config: NodeConfig(maxRetries: 3, retryDelay: 10)),
                    NodeDefinition(id: "risky", uses: "broken", config: NodeConfig(fallback: "safe")),
                    NodeDefinition(id: "safe", uses: "const"),
                    NodeDefinition(id: "approve", uses: "wait"),
                    NodeDefinition(id: "child", uses: "subflow", params: ["blueprintId": "inner"]),
                    NodeDefinition(id: "done", uses: "echo"),
                ],
                edges: [
                    EdgeDefinition(source: "flaky", target: "risky"), EdgeDefinition(source: "risky", target: "approve"),
                    EdgeDefinition(source: "approve", target: "child", action: "ok"),
                    EdgeDefinition(source: "child", target: "done"),
                ]),
            WorkflowBlueprint(id: "inner", nodes: [NodeDefinition(id: "work", uses: "writer")]),
            WorkflowBlueprint(
                id: "failing",
                nodes: [
                    NodeDefinition(id: "first", uses: "const"),
                    NodeDefinition(
                        id: "charge", uses: "broken", config: NodeConfig(maxRetries: 2), location: Self.location),
                ],
                edges: [EdgeDefinition(source: "first", target: "charge")]),
        ]
    }

    static func registry(_ calls: CallCounter) -> NodeRegistry {
        var registry = NodeRegistry()
        registry.register("flaky") { ctx in
            let n = calls.next("flaky")
            if n < 3 { throw FlakyError(attempt: n) }
            try await ctx.state.set("flakyDone", true)
            return NodeResult(output: ["tries": .int(n)])
        }
        registry.register("broken") { _ in throw FlakyError(attempt: 0) }
        registry.register("const") { _ in NodeResult(output: "fixed") }
        registry.register("echo") { ctx in NodeResult(output: ctx.input) }
        registry.register("writer") { ctx in
            try await ctx.state.set("innerWrote", 7)
            // Its own output key, which the run then writes with the output: the run's write wins.
            try await ctx.state.set("_outputs.work", "overwritten")
            return NodeResult(output: 7)
        }
        return registry
    }

    static func runtime(_ history: SQLiteRunHistory, clock: VirtualClock = VirtualClock()) throws -> FlowRuntime {
        try FlowRuntime(
            blueprints: blueprints, registry: registry(CallCounter()),
            options: FlowRuntime.Options(clock: clock, history: history))
    }

    @Test func retriesFallbackPauseResumeAndSubflowMakeTheTimeline() async throws {
        let dir = try TemporaryDirectory()
        defer { dir.remove() }
        let history = try await SQLiteRunHistory(path: dir.path("h.sqlite"))
        let runtime = try Self.runtime(history)

        let paused = try await runtime.run("orders", context: ["orderId": "A-1"], runID: "run-1")
        #expect(paused.status == .awaiting)
        await runtime.flushHistory()
        let waiting = try #require(try await history.run("run-1"))
        #expect(waiting.status == .waiting)
        #expect(waiting.endedAt == nil)
        #expect(try await history.events(of: "run-1").map(\.label)
            == ["start", "flaky:completed", "risky:recovered", "safe:completed", "paused:approve"])

        // Resumed from a result that went through JSON, as another process would.
        let reloaded = try JSONDecoder().decode(WorkflowResult.self, from: JSONEncoder().encode(paused))
        let done = try await runtime.resume(reloaded, action: "ok")
        #expect(done.status == .completed)
        await runtime.flushHistory()

        let summary = try #require(try await history.run("run-1"))
        #expect(summary.status == .completed)
        #expect(summary.blueprintID == "orders")
        #expect(summary.blueprintVersion == "v3")
        #expect(summary.endedAt != nil)
        #expect(summary.parentRunID == nil)
        let events = try await history.events(of: "run-1")
        #expect(events.map(\.label) == [
            "start", "flaky:completed", "risky:recovered", "safe:completed", "paused:approve", "resumed:approve:ok",
            "approve:completed", "child:completed", "done:completed", "end:completed",
        ])
        #expect(events.map(\.sequence) == Array(1...10))

        guard case .runStarted(let start) = events[0].kind else {
            Issue.record("first event is not runStarted")
            return
        }
        #expect(start.context == ["orderId": "A-1"])
        #expect(start.blueprintVersion == "v3")

        let flaky = try #require(events[1].execution)
        #expect(flaky.attempts.count == 3)
        #expect(flaky.attempts.map(\.error) == ["flaky attempt 1", "flaky attempt 2", nil])
        // The retry delays ran on the virtual clock: 10 ms, then 20 ms (backoff, jitter aside).
        #expect(flaky.attempts[1].startedAt > flaky.attempts[0].endedAt)
        #expect(flaky.writes["flakyDone"] == true)
        #expect(flaky.writes["_outputs.flaky"] == ["tries": 3])
        #expect(flaky.writes["_inputs.risky"] == ["tries": 3])
        #expect(flaky.outputBytes == #"{"tries":3}"#.utf8.count)

        let risky = try #require(events[2].execution)
        #expect(risky.fallbackNodeID == "safe")
        #expect(risky.error == "flaky attempt 0")
        let safe = try #require(events[3].execution)
        // A fallback's output lands under its own key and the failed node's.
        #expect(safe.writes["_outputs.risky"] == "fixed")
        #expect(safe.writes["_outputs.safe"] == "fixed")
        #expect(safe.writes["_inputs.approve"] == "fixed")

        let approve = try #require(events[6].execution)
        #expect(approve.action == "ok")

        let child = try #require(events[7].execution)
        #expect(child.childRunID == "run-1/child#0")
        let childSummary = try #require(try await history.run("run-1/child#0"))
        #expect(childSummary.parentRunID == "run-1")
        #expect(childSummary.parentNodeID == "child")
        #expect(childSummary.status == .completed)
        let childEvents = try await history.events(of: "run-1/child#0")
        #expect(childEvents.map(\.label) == ["start", "work:completed", "end:completed"])
        #expect(childEvents[1].execution?.writes["innerWrote"] == 7)
        #expect(childEvents[1].execution?.writes["_outputs.work"] == 7)
    }

    @Test func aFailedRunNamesItsNodeErrorAndLine() async throws {
        let dir = try TemporaryDirectory()
        defer { dir.remove() }
        let history = try await SQLiteRunHistory(path: dir.path("h.sqlite"))
        let runtime = try Self.runtime(history)
        let result = try await runtime.run("failing", runID: "bad-1")
        #expect(result.status == .failed)
        await runtime.flushHistory()

        let summary = try #require(try await history.run("bad-1"))
        #expect(summary.status == .failed)
        #expect(summary.failedNodeID == "charge")
        #expect(summary.error == "flaky attempt 0")
        #expect(summary.errorLocation == Self.location)
        let events = try await history.events(of: "bad-1")
        #expect(events.map(\.label) == ["start", "first:completed", "charge:failed", "end:failed"])
        let charge = try #require(events[2].execution)
        #expect(charge.attempts.count == 2)
        #expect(charge.errorLocation == Self.location)
        guard case .runEnded(let end) = events[3].kind else {
            Issue.record("last event is not runEnded")
            return
        }
        #expect(end.failedNodeID == "charge")
        #expect(end.errorLocation == Self.location)
    }

    @Test func historyDoesNotChangeTheResult() async throws {
        let dir = try TemporaryDirectory()
        defer { dir.remove() }
        let history = try await SQLiteRunHistory(path: dir.path("h.sqlite"))
        let with = try await Self.runtime(history).run("failing", runID: "x")
        let without = try await FlowRuntime(
            blueprints: Self.blueprints, registry: Self.registry(CallCounter()),
            options: FlowRuntime.Options(clock: VirtualClock())
        ).run("failing", runID: "x")
        #expect(with.context == without.context)
        #expect(with.errors == without.errors)
    }

    @Test func storeReopenedFromDiskKeepsItsRuns() async throws {
        let dir = try TemporaryDirectory()
        defer { dir.remove() }
        let path = dir.path("h.sqlite")
        do {
            let history = try await SQLiteRunHistory(path: path)
            let runtime = try Self.runtime(history)
            _ = try await runtime.run("failing", runID: "kept")
            await runtime.flushHistory()
        }
        let reopened = try await SQLiteRunHistory(path: path)
        #expect(try await reopened.run("kept")?.status == .failed)
        #expect(try await reopened.events(of: "kept").count == 4)
        #expect(try await reopened.runs(RunQuery()).runs.map(\.runID) == ["kept"])
    }
}

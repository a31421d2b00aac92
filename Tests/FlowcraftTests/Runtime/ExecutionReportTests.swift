import Flowcraft
import Foundation
import Synchronization
import Testing

/// A node's writes reach the run's history through the run's state, noted under the execution's
/// token (``ExecutionStamp``): each execution's record lists its own writes, and a write from a
/// task the node left running after it returned belongs to no execution.
@Suite("In-memory history: what an execution reports")
struct ExecutionReportTests {
    /// Keeps every batch.
    final class Collected: RunHistoryRecorder {
        let batches = PthreadMutex<[RunHistoryBatch]>([])

        func record(_ summary: RunSummary, events: [RunHistoryEvent]) async throws {
            batches.withLock { $0.append(RunHistoryBatch(summary: summary, events: events)) }
        }

        /// The writes of each node execution, by node id.
        var writesByNode: [String: [String: JSONValue]] {
            var writes: [String: [String: JSONValue]] = [:]
            for batch in batches.withLock({ $0 }) {
                for event in batch.events {
                    if case .nodeFinished(let execution) = event.kind { writes[execution.nodeID] = execution.writes }
                }
            }
            return writes
        }
    }

    /// Opened once by `b`; the task `a` leaves behind writes after it.
    final class Gate: Sendable {
        private let opened = PthreadMutex<(open: Bool, waiting: [CheckedContinuation<Void, Never>])>((false, []))

        func wait() async {
            await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
                let open = opened.withLock { s -> Bool in
                    if !s.open { s.waiting.append(continuation) }
                    return s.open
                }
                if open { continuation.resume() }
            }
        }

        func open() {
            let waiting = opened.withLock { s in
                s.open = true
                defer { s.waiting = [] }
                return s.waiting
            }
            for continuation in waiting { continuation.resume() }
        }
    }

    @Test("set, delete and patch are the writing execution's; a late write from a task the node left running is nobody's")
    func writesBelongToTheirExecution() async throws {
        let leftRunning = Gate()
        let lateWritten = Gate()
        var registry = NodeRegistry()
        registry.register("writer") { ctx in
            try await ctx.state.set("mine", 1)
            try await ctx.state.delete("gone")
            try await ctx.state.patch(["p1": 1, "p0": 0])
            let state = ctx.state
            Task {
                await leftRunning.wait()
                try? await state.set("late", 2)
                lateWritten.open()
            }
            return NodeResult(output: "a")
        }
        registry.register("next") { ctx in
            // The late write lands while this execution runs.
            leftRunning.open()
            await lateWritten.wait()
            try await ctx.state.set("theirs", true)
            return NodeResult(output: "b")
        }
        let blueprint = WorkflowBlueprint(
            id: "writes", nodes: [NodeDefinition(id: "a", uses: "writer"), NodeDefinition(id: "b", uses: "next")],
            edges: [EdgeDefinition(source: "a", target: "b")])
        let recorder = Collected()
        let runtime = try FlowRuntime(
            blueprints: [blueprint], registry: registry, options: FlowRuntime.Options(history: recorder))
        let result = try await runtime.run("writes", context: ["gone": "here"])
        #expect(result.status == .completed)
        #expect(result.context["late"] == 2, "the late write reached the run's state")
        await runtime.flushHistory()

        let writes = recorder.writesByNode
        let a = try #require(writes["a"])
        let b = try #require(writes["b"])
        #expect(a["mine"] == 1 && a["gone"] == .null && a["p0"] == 0 && a["p1"] == 1)
        #expect(a.keys.contains("gone"), "a deletion is recorded as a write of null")
        #expect(b["theirs"] == true)
        #expect(b["mine"] == nil && a["theirs"] == nil)
        #expect(a["late"] == nil && b["late"] == nil, "the late write is recorded for no execution")
    }

    /// The attempt loop reports failed attempts through the node's state, whichever wraps the run's
    /// state: plain, with an event handler, with a value size limit, with both.
    @Test(arguments: [(false, false), (true, false), (false, true), (true, true)])
    func retriedAttemptsAreRecordedThroughEveryNodeState(events: Bool, valueLimit: Bool) async throws {
        let calls = PthreadMutex(0)
        var registry = NodeRegistry()
        registry.register("flaky") { ctx in
            let call = calls.withLock { c -> Int in
                c += 1
                return c
            }
            try await ctx.state.set("try.\(call)", .int(call))
            if call < 3 { throw ScenarioFailureForTests("attempt \(call) fails") }
            return NodeResult(output: "done")
        }
        var flaky = NodeDefinition(id: "flaky", uses: "flaky")
        flaky.config.maxRetries = 3
        let blueprint = WorkflowBlueprint(id: "retries", nodes: [flaky], edges: [])
        let recorder = Collected()
        var options = FlowRuntime.Options(history: recorder)
        if events { options.eventHandler = { _ in } }
        if valueLimit { options.sizeLimits = SizeLimits(maximumValueBytes: 1_000) }
        let runtime = try FlowRuntime(blueprints: [blueprint], registry: registry, options: options)
        #expect(try await runtime.run("retries").status == .completed)
        await runtime.flushHistory()
        var execution: RunHistoryEvent.NodeExecution?
        for batch in recorder.batches.withLock({ $0 }) {
            for event in batch.events {
                if case .nodeFinished(let e) = event.kind { execution = e }
            }
        }
        let recorded = try #require(execution)
        #expect(recorded.attempts.map(\.error) == ["attempt 1 fails", "attempt 2 fails", nil])
        #expect(recorded.writes["try.1"] == 1 && recorded.writes["try.3"] == 3)
    }

    struct ScenarioFailureForTests: Error, CustomStringConvertible {
        var description: String
        init(_ description: String) { self.description = description }
    }

    @Test("concurrent executions each record only their own writes")
    func concurrentExecutionsKeepTheirWrites() async throws {
        var registry = NodeRegistry()
        registry.register("start") { _ in NodeResult() }
        registry.register("writer") { ctx in
            for i in 0..<20 { try await ctx.state.set("\(ctx.nodeID).\(i)", .int(i)) }
            return NodeResult()
        }
        let workers = (0..<32).map { NodeDefinition(id: "w\($0)", uses: "writer") }
        let blueprint = WorkflowBlueprint(
            id: "fan", nodes: [NodeDefinition(id: "start", uses: "start")] + workers,
            edges: workers.map { EdgeDefinition(source: "start", target: $0.id) })
        let recorder = Collected()
        let runtime = try FlowRuntime(
            blueprints: [blueprint], registry: registry, options: FlowRuntime.Options(history: recorder))
        #expect(try await runtime.run("fan").status == .completed)
        await runtime.flushHistory()
        let writes = recorder.writesByNode
        for worker in workers {
            let own = try #require(writes[worker.id])
            let keys = own.keys.filter { !$0.hasPrefix("_") }.sorted()
            #expect(keys == (0..<20).map { "\(worker.id).\($0)" }.sorted(), "\(worker.id)")
        }
    }
}

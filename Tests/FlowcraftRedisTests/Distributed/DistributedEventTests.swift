import Foundation
import Flowcraft
@testable import FlowcraftRedis
import Synchronization
import Testing

/// The distributed engine's event stream: the in-memory engine's `workflow:*`, `node:*` and
/// `context:change` events, emitted by the process that caused them, once per committed change.
@Suite("Distributed engine events", .requiresRedis)
struct DistributedEventTests {
    final class Recorder: Sendable {
        let events = Mutex<[WorkflowEvent]>([])
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
            return try await workflows.result(runID, timeout: .seconds(20))
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

    @Test("a failing run ends with workflow:finish naming the failure; node:error reports each attempt")
    func failingRun() async throws {
        let recorder = Recorder()
        var registry = NodeRegistry()
        registry.register("boom") { _ in throw Kaput() }
        var node = NodeDefinition(id: "x", uses: "boom")
        node.config.maxRetries = 2
        let blueprint = WorkflowBlueprint(id: "failing", nodes: [node], edges: [])
        let status = try await DistributedTestSupport.withWorker(
            blueprints: [blueprint], registry: registry, queue: DistributedTestSupport.uniqueQueue("events"),
            eventHandler: recorder.handler
        ) { workflows, _ in
            let runID = try await workflows.startWorkflow(blueprintID: "failing")
            return try await workflows.result(runID, timeout: .seconds(20))
        }
        #expect(status.status == .failed)
        #expect(recorder.count(.nodeError, "x") == 2)
        #expect(recorder.count(.nodeFinish, "x") == 0)
        let finish = recorder.events.withLock { $0.first { $0.type == .workflowFinish } }
        #expect(finish?.payload["status"] == "failed")
        #expect(finish?.payload["errors"]?.arrayValue?.first?.stringValue?.contains("kaput") == true)
    }

    @Test("a redelivered completion commits nothing and emits no second node:finish")
    func duplicateCommitEmitsNothing() async throws {
        let recorder = Recorder()
        let client = try TestRedis.client()
        let options = DistributedOptions(
            queueName: DistributedTestSupport.uniqueQueue("events"), stateTTLSeconds: 600, eventHandler: recorder.handler)
        let prepared = PreparedBlueprint(try CompiledBlueprint(DistributedTestSupport.diamond()))
        let committer = RunCommitter(client: client, options: options)
        let runID = UUID().uuidString.lowercased()
        var start = RunCommitter.Change(mode: .start)
        start.starts = prepared.startEntries
        start.records = CompletionPlanner(plan: prepared.plan, runID: runID, options: options).startRecords()
        _ = try await committer.commit(runID: runID, blueprintID: "diamond", version: nil, start)

        let data = NodeJobData(runID: runID, blueprintID: "diamond", nodeID: "a")
        var codes: [String] = []
        for _ in 0..<2 {
            let state = RedisWorkflowState(runID: runID, client: client, mode: .buffered)
            try await state.set("note", "written by a")
            var change = try await NodeJobExecutor.completionChange(
                prepared: prepared, data: data, item: .node(0), result: NodeResult(output: "A"), input: .null,
                state: state, options: options)
            change.events = [NodeJobExecutor.finishEvent("a", NodeResult(output: "A"))]
            codes.append(try await committer.commit(runID: runID, blueprintID: "diamond", version: nil, change).code)
        }
        await client.close()
        #expect(codes == ["committed", "duplicate"])
        #expect(recorder.count(.nodeFinish, "a") == 1)
        // Once, in the node's order: its own write first, then the engine's (`_outputs.a`, inputs).
        let keys = recorder.events.withLock { $0.filter { $0.type == .contextChange }.compactMap { $0.payload["key"]?.stringValue } }
        #expect(keys.first == "note")
        #expect(keys.filter { $0 == "note" }.count == 1)
        #expect(keys.filter { $0 == "_outputs.a" }.count == 1)
    }
}

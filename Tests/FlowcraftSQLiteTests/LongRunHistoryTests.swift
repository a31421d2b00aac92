import Flowcraft
import Foundation
import Testing

/// Long runs hand their history over in batches whose buffers the delivery empties and hands back
/// to later runs: every run still records each of its events once, in order, with its own writes.
@Suite("In-memory history of long runs")
struct LongRunHistoryTests {
    @Test func reusedBuffersKeepEveryRunsEventsInOrder() async throws {
        let n = 700
        let nodes = (0..<n).map { NodeDefinition(id: "n\($0)", uses: "count") }
        let edges = (1..<n).map { EdgeDefinition(source: "n\($0 - 1)", target: "n\($0)") }
        var registry = NodeRegistry()
        registry.register("count") { ctx in NodeResult(output: .string(ctx.runID + ":" + ctx.nodeID)) }
        let recorder = HistoryEquivalenceTests.CollectingRecorder()
        let runtime = try FlowRuntime(
            blueprints: [WorkflowBlueprint(id: "long", nodes: nodes, edges: edges)], registry: registry,
            options: FlowRuntime.Options(clock: VirtualClock(), history: recorder, historyBatchSize: 300))
        for run in 0..<4 {
            #expect(try await runtime.run("long", runID: "r\(run)").status == .completed)
            // Let the delivery hand the buffers back before the next run.
            await runtime.flushHistory()
        }
        var events: [String: [RunHistoryEvent]] = [:]
        for batch in recorder.batches.withLock({ $0 }) {
            events[batch.summary.runID, default: []].append(contentsOf: batch.events)
        }
        #expect(events.keys.sorted() == ["r0", "r1", "r2", "r3"])
        for (runID, runEvents) in events {
            #expect(runEvents.map(\.sequence) == Array(1...(n + 2)), "\(runID)")
            let executions = runEvents.compactMap { event -> RunHistoryEvent.NodeExecution? in
                if case .nodeFinished(let e) = event.kind { return e }
                return nil
            }
            #expect(executions.map(\.nodeID) == (0..<n).map { "n\($0)" }, "\(runID)")
            for (i, e) in executions.enumerated() {
                let output = JSONValue.string("\(runID):n\(i)")
                var expected: [String: JSONValue] = ["_outputs.n\(i)": output]
                if i + 1 < n { expected["_inputs.n\(i + 1)"] = output }
                #expect(e.writes == expected, "\(runID) n\(i)")
                #expect(e.outputBytes == SizeLimits.byteCount(output))
            }
        }
    }
}

import Foundation
import Flowcraft
@testable import FlowcraftRedis
import FlowcraftScenarios
import Testing

/// Item 6 of "Production deployment": size limits on node outputs and context values (the run fails
/// naming the node, the size and the limit; other runs keep flowing) and a bounded final status.
@Suite("Size limits (distributed)", .enabled(if: TestRedis.isEnabled))
struct SizeLimitTests {
    @Test("the size-limit scenarios with retries as BullMQ attempts", arguments: SizeLimitScenarios.all)
    func queueRetryMode(_ scenario: WorkflowScenario) async throws {
        let outcome = try await RedisScenarioEngine(retryMode: .queue).execute(scenario)
        let problems = scenario.verify(outcome)
        #expect(problems.isEmpty, "\(scenario.name) (queue retries): \(problems.joined(separator: "; "))")
    }

    @Test("an oversized output fails its run with the limit named while other runs keep flowing")
    func oversizedOutputFailsOnlyItsRun() async throws {
        var registry = NodeRegistry()
        registry.register("noop") { ctx in NodeResult(output: ctx.input) }
        registry.register("maybe-big") { ctx in
            let big = ctx.input.objectValue?["big"]?.boolValue ?? false
            return NodeResult(output: big ? .string(String(repeating: "y", count: 5_000)) : "small")
        }
        let blueprint = WorkflowBlueprint(
            id: "sized",
            nodes: [
                NodeDefinition(id: "a", uses: "noop", inputs: .key("request")), NodeDefinition(id: "b", uses: "maybe-big"),
                NodeDefinition(id: "c", uses: "noop"),
            ],
            edges: [EdgeDefinition(source: "a", target: "b"), EdgeDefinition(source: "b", target: "c")])
        let limits = SizeLimits(maximumOutputBytes: 4_096, maximumValueBytes: 4_096, maximumStatusPayloadBytes: 1 << 20)
        try await DistributedTestSupport.withWorker(
            blueprints: [blueprint], registry: registry, queue: DistributedTestSupport.uniqueQueue("sized"), sizeLimits: limits
        ) { workflows, _ in
            var normal: [String] = []
            for i in 0..<40 {
                normal.append(try await workflows.startWorkflow(blueprintID: "sized", context: ["request": ["big": false, "i": .int(i)]]))
                if i == 20 {
                    let big = try await workflows.startWorkflow(blueprintID: "sized", context: ["request": ["big": true]])
                    normal.append(big)
                }
            }
            var failures: [DistributedRunStatus] = []
            for runID in normal {
                let status = try await workflows.result(runID, timeout: .seconds(30))
                if status.status == .failed { failures.append(status) } else { #expect(status.status == .completed) }
            }
            try #require(failures.count == 1)
            let failed = failures[0]
            #expect(failed.nodeID == "b")
            #expect(failed.reason == "node 'b': output of 5002 bytes exceeds the limit of 4096 bytes (maximumOutputBytes)")
            #expect(failed.context["_outputs.b"] == nil && failed.context["_outputs.c"] == nil)
        }
    }

    @Test("the defaults are 8 MiB per output and value and 1 MiB of status payload; in memory, none")
    func defaults() {
        #expect(DistributedOptions().sizeLimits == .distributed)
        #expect(SizeLimits.distributed.maximumOutputBytes == 8 << 20)
        #expect(SizeLimits.distributed.maximumValueBytes == 8 << 20)
        #expect(SizeLimits.distributed.maximumStatusPayloadBytes == 1 << 20)
        #expect(SizeLimits.unlimited.limitsNodes == false)
    }

    @Test("a context larger than maximumStatusPayloadBytes is stored in the status as a truncation marker; the state hash keeps it all")
    func statusPayloadIsBounded() async throws {
        var registry = NodeRegistry()
        registry.register("fill") { ctx in NodeResult(output: .string(String(repeating: "z", count: 600) + ctx.nodeID)) }
        let blueprint = WorkflowBlueprint(
            id: "filled", nodes: ["a", "b", "c"].map { NodeDefinition(id: $0, uses: "fill") },
            edges: [EdgeDefinition(source: "a", target: "b"), EdgeDefinition(source: "b", target: "c")])
        let limits = SizeLimits(maximumOutputBytes: 4_096, maximumValueBytes: 4_096, maximumStatusPayloadBytes: 1_000)
        try await DistributedTestSupport.withWorker(
            blueprints: [blueprint], registry: registry, queue: DistributedTestSupport.uniqueQueue("status"), sizeLimits: limits
        ) { workflows, client in
            let runID = try await workflows.startWorkflow(blueprintID: "filled")
            let status = try await workflows.result(runID, timeout: .seconds(30))
            #expect(status.status == .completed)
            let raw = try #require(try await client.send(["GET", "workflow:status:\(runID)"]).string)
            #expect(raw.utf8.count < 200, "\(raw)")
            #expect(status.payload?.objectValue?["truncated"] == true)
            let bytes = try #require(status.payload?.objectValue?["bytes"]?.intValue)
            #expect(bytes > 1_000)
            let state = try await RedisWorkflowState(runID: runID, client: client).snapshot()
            #expect(state["_outputs.c"]?.stringValue?.hasSuffix("c") == true)
        }
    }

    @Test("a small context still goes into the status in full")
    func smallStatusIsWhole() async throws {
        var registry = NodeRegistry()
        registry.register("noop") { _ in NodeResult(output: "fine") }
        try await DistributedTestSupport.withWorker(
            blueprints: [DistributedTestSupport.diamond(id: "whole")], registry: registry,
            queue: DistributedTestSupport.uniqueQueue("whole")
        ) { workflows, _ in
            let runID = try await workflows.startWorkflow(blueprintID: "whole")
            let status = try await workflows.result(runID, timeout: .seconds(30))
            #expect(status.status == .completed)
            #expect(status.context["_outputs.e"] == "fine")
            #expect(status.context["truncated"] == nil)
        }
    }
}

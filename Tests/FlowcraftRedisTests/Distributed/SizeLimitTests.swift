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

/// Item 6 (remainder): a limit on a run's total context, counted by the commit script.
@Suite("Run context limit (distributed)", .enabled(if: TestRedis.isEnabled))
struct RunContextLimitTests {
    @Test("a run whose context grows over maximumRunContextBytes fails naming the node and the limit while other runs keep flowing")
    func overLimitFailsOnlyItsRun() async throws {
        var registry = NodeRegistry()
        registry.register("noop") { ctx in NodeResult(output: ctx.input) }
        registry.register("fill") { ctx in
            let count = ctx.input.objectValue?["count"]?.intValue ?? 1
            for index in 0..<count { try await ctx.state.set("part\(index)", .string(String(repeating: "q", count: 998))) }
            return NodeResult(output: "filled")
        }
        let blueprint = WorkflowBlueprint(
            id: "run-total",
            nodes: [
                NodeDefinition(id: "a", uses: "noop", inputs: .key("request")), NodeDefinition(id: "b", uses: "fill"),
                NodeDefinition(id: "c", uses: "noop"),
            ],
            edges: [EdgeDefinition(source: "a", target: "b"), EdgeDefinition(source: "b", target: "c")])
        let limits = SizeLimits(
            maximumOutputBytes: 4_096, maximumValueBytes: 4_096, maximumStatusPayloadBytes: 1 << 20,
            maximumRunContextBytes: 5_000)
        try await DistributedTestSupport.withWorker(
            blueprints: [blueprint], registry: registry, queue: DistributedTestSupport.uniqueQueue("run-total"),
            sizeLimits: limits
        ) { workflows, client in
            var runs: [String] = []
            var big = ""
            for i in 0..<30 {
                runs.append(try await workflows.startWorkflow(blueprintID: "run-total", context: ["request": ["count": 2, "i": .int(i)]]))
                if i == 15 {
                    big = try await workflows.startWorkflow(blueprintID: "run-total", context: ["request": ["count": 6]])
                    runs.append(big)
                }
            }
            for runID in runs where runID != big {
                let status = try await workflows.result(runID, timeout: .seconds(30))
                #expect(status.status == .completed)
                #expect(status.context["part1"] != nil && status.context["_outputs.c"] == "filled")
            }
            let failed = try await workflows.result(big, timeout: .seconds(30))
            #expect(failed.status == .failed)
            #expect(failed.nodeID == "b")
            let reason = failed.reason ?? ""
            #expect(reason.hasPrefix("node 'b': the run's context would grow to "), "\(reason)")
            #expect(reason.hasSuffix(" bytes, over the limit of 5000 bytes (maximumRunContextBytes)"), "\(reason)")
            #expect(failed.context["part0"] == nil && failed.context["_outputs.b"] == nil)
            // The counter holds what was committed: the start's context and node a's writes.
            let keys = DistributedKeys(runID: big)
            let counted = try await client.send(["HGET", keys.run, "contextBytes"]).string.flatMap { Int($0) }
            let fields = try await client.send(["HGETALL", keys.state]).array?.compactMap(\.string) ?? []
            let measured = fields.reduce(0) { $0 + $1.utf8.count }
            #expect(counted == measured, "counter \(String(describing: counted)), state \(measured)")
        }
    }

    @Test("the distributed default is 64 MiB of run context; in memory, none")
    func defaults() {
        #expect(SizeLimits.distributed.maximumRunContextBytes == 64 << 20)
        #expect(SizeLimits.unlimited.maximumRunContextBytes == nil)
    }
}

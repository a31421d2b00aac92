import Foundation
import Flowcraft
@testable import FlowcraftRedis
import Testing

@Suite("Distributed runs", .requiresRedis)
struct DistributedRunTests {
    @Test("a diamond runs to completion across jobs, with every node's output in the final context")
    func diamondCompletes() async throws {
        var registry = NodeRegistry()
        registry.register("noop") { ctx in NodeResult(output: .string("out-\(ctx.nodeID)")) }
        let blueprint = DistributedTestSupport.diamond()
        let queue = DistributedTestSupport.uniqueQueue("diamond")
        let status = try await DistributedTestSupport.withWorker(blueprints: [blueprint], registry: registry, queue: queue) {
            workflows, _ in
            let runID = try await workflows.startWorkflow(blueprint, context: ["greeting": "hi"])
            return try await workflows.result(runID, timeout: TestTiming.seconds(20))
        }
        #expect(status.status == .completed)
        #expect(status.context["greeting"] == "hi")
        for node in ["a", "b", "c", "d", "e"] {
            #expect(status.context["_outputs.\(node)"] == .string("out-\(node)"))
        }
    }
}

@Suite("Distributed worker robustness", .requiresRedis)
struct DistributedWorkerRobustnessTests {
    @Test("hostile job payloads fail with a clear reason and the worker keeps running")
    func hostilePayloads() async throws {
        var registry = NodeRegistry()
        registry.register("noop") { _ in NodeResult(output: "ok") }
        let blueprint = DistributedTestSupport.diamond()
        let queueName = DistributedTestSupport.uniqueQueue("hostile")
        let (reasons, status) = try await DistributedTestSupport.withWorker(
            blueprints: [blueprint], registry: registry, queue: queueName
        ) { workflows, client in
            let queue = try Queue(name: queueName, client: client)
            let ids = try await queue.addBulk([
                JobDescription(name: "executeNode", data: "not an object"),
                JobDescription(name: "executeNode", data: ["runId": "r1", "blueprintId": "nope", "nodeId": "a"]),
                JobDescription(name: "executeNode", data: ["runId": "r2", "blueprintId": "diamond", "nodeId": "zzz"]),
                JobDescription(name: "executeNode", data: ["runId": .string(String(repeating: "x", count: 5000)), "blueprintId": "diamond", "nodeId": "a"]),
            ])
            let runID = try await workflows.startWorkflow(blueprint)
            let status = try await workflows.result(runID, timeout: TestTiming.seconds(20))
            var reasons: [String] = []
            for id in ids {
                for _ in 0..<1000 {
                    if let job = try await queue.getJob(id), let reason = job.failedReason {
                        reasons.append(reason)
                        break
                    }
                    try await Task.sleep(for: .milliseconds(20))
                }
            }
            return (reasons, status)
        }
        #expect(status.status == .completed)
        #expect(reasons.count == 4)
        #expect(reasons.contains { $0.contains("not a JSON object") })
        #expect(reasons.contains { $0.contains("unknown blueprint 'nope'") })
        #expect(reasons.contains { $0.contains("has no node 'zzz'") })
        #expect(reasons.contains { $0.contains("runId") })
    }
}

import Flowcraft
@testable import FlowcraftRedis
import Testing

/// A plain BullMQ client cannot create a run under a subflow child's id (`<run>/<node>#<i>`) ahead of
/// its parent: such a job is refused and nothing is written, so the parent's subflow node later
/// starts its real child. Found by review: the job created the run, and the parent's subflow node
/// adopted that unrelated run's result in 0 ms.
@Suite("Child run ids are the parent's", .requiresRedis)
struct ChildRunIDTakeoverTests {
    typealias Support = DistributedTestSupport

    static let child = WorkflowBlueprint(id: "child", nodes: [NodeDefinition(id: "c", uses: "mark")])
    static let parent = WorkflowBlueprint(
        id: "parent",
        nodes: [
            NodeDefinition(id: "p1", uses: "mark"),
            NodeDefinition(id: "call", uses: "subflow", params: ["blueprintId": "child"]),
        ],
        edges: [EdgeDefinition(source: "p1", target: "call")])

    @Test("a job for a child run that does not exist is refused; the parent then runs its real child")
    func foreignChildJobIsRefused() async throws {
        let calls = NodeFinishStepSupport.Calls()
        var registry = NodeRegistry()
        registry.register("mark") { ctx in
            calls.count(ctx.runID + ":" + ctx.nodeID)
            return NodeResult(output: .string("ran " + ctx.nodeID))
        }
        let queue = Support.uniqueQueue("takeover")
        try await Support.withWorker(blueprints: [Self.parent, Self.child], registry: registry, queue: queue) { workflows, client in
            let runID = "hj-\(Support.uniqueQueue("run"))"
            let childID = SubflowRunID.child(of: runID, nodeID: "call", iteration: 0)
            let bull = try Queue(name: queue, client: client)
            let jobID = try await bull.add(
                name: workflows.options.jobName, data: ["runId": .string(childID), "blueprintId": "parent", "nodeId": "p1"])
            let refused = try await QueueTestSupport.eventually(within: 20 * Double(TestTiming.scale)) {
                try await bull.getJob(jobID)?.failedReason != nil
            }
            #expect(refused)
            let reason = try await bull.getJob(jobID)?.failedReason ?? ""
            #expect(reason.contains("names a subflow child run"), "\(reason)")
            #expect(try await client.send(["EXISTS", DistributedKeys(runID: childID).run]).int == 0)
            #expect(calls[childID + ":p1"] == 0)

            _ = try await workflows.startWorkflow(blueprintID: "parent", runID: runID)
            let final = try await workflows.result(runID, timeout: TestTiming.seconds(20))
            #expect(final.status == .completed, "\(final.json)")
            #expect(calls[childID + ":c"] == 1)
        }
    }
}

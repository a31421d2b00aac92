@testable import Flowcraft
@testable import FlowcraftRedis
import FlowcraftScenarios
import Testing

@Suite("Distributed resume refuses unrouted actions", .requiresRedis)
struct ResumeRefusalTests {
    /// A `wait` node `ask` that routes `approve` and `reject`.
    static let approval = ScenarioBuilding.blueprint(
        "approval",
        nodes: [ScenarioBuilding.node("ask", "wait"), ScenarioBuilding.node("approved"), ScenarioBuilding.node("rejected")],
        edges: [ScenarioBuilding.edge("ask", "approved", action: "approve"),
                ScenarioBuilding.edge("ask", "rejected", action: "reject")])

    @Test func resumeWithAnUnroutedActionIsRefusedBeforeAnythingIsWritten() async throws {
        try await DistributedTestSupport.withWorker(
            blueprints: [Self.approval], registry: ScenarioBuilding.registry(ScenarioProbe()),
            queue: DistributedTestSupport.uniqueQueue("resume-refusal")
        ) { workflows, client in
            let runID = try await workflows.startWorkflow(blueprintID: "approval")
            #expect(try await workflows.result(runID, timeout: .seconds(30)).status == .awaiting)
            let keys = DistributedKeys(runID: runID)
            let before = try await client.send(["HGETALL", keys.state]).array?.count
            await #expect {
                try await workflows.resume(runID, action: "aprove")
            } throws: { error in
                "\(error)".contains("[NO_ROUTE] node 'ask' (scenarios/approval.yaml:10:5) returned action 'aprove'")
            }
            #expect(try await client.send(["HGET", keys.run, "status"]).string == "awaiting")
            #expect(try await client.send(["HGETALL", keys.state]).array?.count == before)
            try await workflows.resume(runID, action: "approve")
            let done = try await workflows.result(runID, timeout: .seconds(30))
            #expect(done.status == .completed)
            #expect(done.context["_outputs.approved"] != nil)
        }
    }

    @Test func stuckJoinStatusNamesTheJoinAndItsLine() async throws {
        let scenario = FallbackJoinScenarios.stuckJoinFailsTheRun
        try await DistributedTestSupport.withWorker(
            blueprints: scenario.blueprints, registry: scenario.makeRegistry(ScenarioProbe()),
            queue: DistributedTestSupport.uniqueQueue("stuck-join")
        ) { workflows, _ in
            let runID = try await workflows.startWorkflow(blueprintID: scenario.blueprintID)
            let status = try await workflows.result(runID, timeout: .seconds(30))
            #expect(status.status == .failed)
            #expect(status.nodeID == "join")
            #expect(status.arrived == ["a"])
            #expect(status.reason == "[STUCK_JOIN] join 'join' (scenarios/stuck.yaml:22:5) can never fire: arrived: a; never arriving: y")
        }
    }
}

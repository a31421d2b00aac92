import Flowcraft
@testable import FlowcraftRedis
import FlowcraftScenarios
import Testing

/// `WorkflowClient` as the engine behind the generated typed clients (`WorkflowStarting`): the
/// calls generated code makes (see FlowcraftGeneratedTests for the generated overloads themselves).
@Suite("Typed run handles over Redis", .requiresRedis)
struct TypedRunHandleTests {
    struct Decision: Decodable, Sendable, Equatable { var by: String }

    static let approval = ScenarioBuilding.blueprint(
        "approval",
        nodes: [ScenarioBuilding.node("ask", "wait"), ScenarioBuilding.node("approved"), ScenarioBuilding.node("rejected")],
        edges: [ScenarioBuilding.edge("ask", "approved", action: "approve"),
                ScenarioBuilding.edge("ask", "rejected", action: "reject")])

    @Test func startSettleResumeAndReadTheTypedResult() async throws {
        try await DistributedTestSupport.withWorker(
            blueprints: [Self.approval], registry: ScenarioBuilding.registry(ScenarioProbe()),
            queue: DistributedTestSupport.uniqueQueue("typed-handle")
        ) { workflows, _ in
            let run: TypedRunHandle<[String: JSONValue]> = try await workflows.startRun(
                blueprintID: "approval", context: ["who": "ann"], runID: nil, outputNode: nil)
            #expect(try await run.settled(timeout: .seconds(30)).status == .awaiting)
            #expect(try await run.status().status == .awaiting)
            await #expect(throws: TypedRunError.awaiting(runID: run.runID)) { try await run.result(timeout: .seconds(30)) }
            await #expect {
                try await run.resume(nodeID: "ask", action: "aprove")
            } throws: { error in
                "\(error)".contains("returned action 'aprove'")
            }
            try await run.resume(nodeID: "ask", action: "approve")
            let context = try await run.result(timeout: .seconds(30))
            #expect(context["who"] == "ann")
            #expect(context["_outputs.approved"] != nil)
            #expect(context["_outputs.rejected"] == nil)
        }
    }

    @Test func aNodesOutputIsDecodedAsTheDeclaredType() async throws {
        try await DistributedTestSupport.withWorker(
            blueprints: [Self.approval], registry: ScenarioBuilding.registry(ScenarioProbe()),
            queue: DistributedTestSupport.uniqueQueue("typed-output")
        ) { workflows, _ in
            let run: TypedRunHandle<Decision> = try await workflows.startRun(
                blueprintID: "approval", context: [:], runID: nil, outputNode: "rejected")
            _ = try await run.settled(timeout: .seconds(30))
            try await run.resume(nodeID: "ask", action: "reject", output: ["by": "bo"])
            #expect(try await run.result(timeout: .seconds(30)) == Decision(by: "bo"))
            let unknown = TypedRunHandle<JSONValue>(
                runID: "no-such-run", blueprintID: "approval", outputNode: nil, engine: workflows)
            await #expect(throws: TypedRunError.unknownRun(runID: "no-such-run")) { try await unknown.status() }
        }
    }
}

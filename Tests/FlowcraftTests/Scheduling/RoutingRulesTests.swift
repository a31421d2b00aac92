import Flowcraft
import FlowcraftScenarios
import Testing

@Suite("Routing rules (NO_ROUTE, resume refusal, the unroutedActions setting)")
struct RoutingRulesTests {
    typealias B = ScenarioBuilding

    static func approval(unrouted: String? = nil) -> WorkflowBlueprint {
        var blueprint = B.blueprint(
            "approval",
            nodes: [B.node("ask", "wait"), B.node("approved"), B.node("rejected")],
            edges: [B.edge("ask", "approved", action: "approve"), B.edge("ask", "rejected", action: "reject")])
        if let unrouted { blueprint.metadata = BlueprintMetadata(extra: ["unroutedActions": .string(unrouted)]) }
        return blueprint
    }

    @Test func routesIsStructural() throws {
        let plan = try CompiledBlueprint(Self.approval())
        #expect(RoutingRules.routes(plan, node: 0, action: "approve"))
        #expect(!RoutingRules.routes(plan, node: 0, action: "aprove"))
        #expect(!RoutingRules.routes(plan, node: 0, action: nil))
        #expect(RoutingRules.routes(plan, node: 1, action: "anything"))  // no edges: ends its branch
        #expect(RoutingRules.routedActions(plan, node: 0) == ["approve", "reject"])
        #expect(
            RoutingRules.unroutedMessage(plan, node: 0, action: "aprove")
                == "[NO_ROUTE] node 'ask' (scenarios/approval.yaml:10:5) returned action 'aprove', which no edge routes (its edges route: approve, reject)")
        #expect(!RoutingRules.failsUnrouted(try CompiledBlueprint(Self.approval(unrouted: "end")), node: 0, action: "aprove"))
    }

    @Test func anInvalidUnroutedActionsSettingIsRejected() {
        #expect(throws: BlueprintPreparationError.self) { try CompiledBlueprint(Self.approval(unrouted: "ignore")) }
    }

    @Test func resumeWithAnUnroutedActionIsRefusedBeforeAnythingChanges() async throws {
        let runtime = try FlowRuntime(blueprints: [Self.approval()], registry: B.registry(ScenarioProbe()))
        let paused = try await runtime.run("approval")
        #expect(paused.status == .awaiting)
        await #expect {
            _ = try await runtime.resume(paused, action: "aprove")
        } throws: { error in
            guard case .unroutedResume(_, let message)? = error as? FlowRuntimeError else { return false }
            return message.contains("[NO_ROUTE] node 'ask'") && message.contains("'aprove'")
        }
        // Nothing changed: the same paused run still resumes with a routed action.
        let resumed = try await runtime.resume(paused, action: "approve")
        #expect(resumed.status == .completed)
        #expect(resumed.context["_outputs.approved"] != nil)
    }

    @Test func resumeWithAnUnroutedActionEndsTheBranchWhenAllowed() async throws {
        let runtime = try FlowRuntime(blueprints: [Self.approval(unrouted: "end")], registry: B.registry(ScenarioProbe()))
        let paused = try await runtime.run("approval")
        let resumed = try await runtime.resume(paused, action: "aprove")
        #expect(resumed.status == .completed)
        #expect(resumed.context["_outputs.approved"] == nil)
    }
}

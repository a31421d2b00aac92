import Flowcraft
import FlowcraftScenarios
import Testing

@Suite("In-memory engine semantics scenarios")
struct ScenarioTests {
    @Test(arguments: WorkflowScenarios.all)
    func scenario(_ scenario: WorkflowScenario) async throws {
        let outcome = try await InMemoryScenarioEngine().execute(scenario)
        let problems = scenario.verify(outcome)
        #expect(problems.isEmpty, "\(scenario.name): \(problems.joined(separator: "; "))")
    }
}

@Suite("Scenario verification")
struct ScenarioVerificationTests {
    @Test func wrongExpectationsAreReported() async throws {
        var scenario = RoutingScenarios.chain
        scenario.expectation = ScenarioExpectation(
            status: .failed, context: ["_outputs.c": 8], absentKeys: ["_outputs.a"],
            eventSequence: [EventMatcher(.nodeFinish, "c"), EventMatcher(.nodeStart, "a")])
        let problems = scenario.verify(try await InMemoryScenarioEngine().execute(scenario))
        #expect(problems.count == 4, "\(problems)")
    }
}

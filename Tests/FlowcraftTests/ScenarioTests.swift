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

import Flowcraft
import FlowcraftScenarios
import FlowcraftSQLite
import Testing

/// Every semantics scenario on the in-memory engine with a SQLite history: outcomes are unchanged
/// and every run (subflow child runs too) has a well-formed history that agrees with its summary.
@Suite("Semantics scenarios with SQLite history")
struct ScenarioHistoryTests {
    @Test(arguments: WorkflowScenarios.all)
    func scenarioKeepsItsOutcomeAndRecordsAWellFormedHistory(_ scenario: WorkflowScenario) async throws {
        let dir = try TemporaryDirectory()
        defer { dir.remove() }
        let history = try await SQLiteRunHistory(path: dir.path("h.sqlite"))
        let outcome = try await InMemoryScenarioEngine(history: history).execute(scenario)
        let problems = scenario.verify(outcome)
        #expect(problems.isEmpty, "\(scenario.name): \(problems.joined(separator: "; "))")

        let runs = try await history.runs(RunQuery(limit: 1000)).runs
        let top = runs.filter { $0.parentRunID == nil }
        #expect(top.count == 1, "\(scenario.name): \(runs.map(\.runID))")
        let expected: RunHistoryStatus
        switch outcome.result.status {
        case .completed: expected = .completed
        case .failed: expected = .failed
        case .cancelled: expected = .cancelled
        case .awaiting: expected = .waiting
        }
        #expect(top.first?.status == expected, "\(scenario.name)")
        for run in runs {
            let events = try await history.events(of: run.runID)
            let where_ = "\(scenario.name), run \(run.runID)"
            #expect(events.map(\.sequence) == Array(1...max(1, events.count)), "\(where_)")
            guard case .runStarted(let start)? = events.first?.kind else {
                Issue.record("\(where_): does not start with runStarted")
                continue
            }
            #expect(start.parentRunID == run.parentRunID, "\(where_)")
            switch events.last?.kind {
            case .runEnded(let end)?:
                #expect(end.status == run.status, "\(where_)")
                #expect(run.endedAt != nil, "\(where_)")
                #expect(end.failedNodeID == run.failedNodeID, "\(where_)")
            case .paused?:
                #expect(run.status == .waiting, "\(where_)")
            default:
                Issue.record("\(where_): ends with \(events.last?.label ?? "nothing")")
            }
            if run.status == .failed, outcome.result.status == .failed, run.parentRunID == nil {
                #expect(run.failedNodeID == outcome.result.errors.first?.nodeID, "\(where_)")
            }
        }
    }
}

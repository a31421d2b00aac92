import Flowcraft
import FlowcraftRedis
import Foundation
import Testing

@testable import FlowcraftDashboard

/// The dashboard's distributed run actions refuse what would change nothing.
@Suite(.enabled(if: ProcessInfo.processInfo.environment["FLOWCRAFT_TEST_REDIS_URL"] != nil))
struct RedisDashboardActionsTests {
    @Test func cancellingARunThatEndedIsRefused() async throws {
        let redis = try RedisClient(url: try #require(ProcessInfo.processInfo.environment["FLOWCRAFT_TEST_REDIS_URL"]), poolSize: 4)
        let blueprint = WorkflowBlueprint(id: "greet", nodes: [NodeDefinition(id: "hello", uses: "echo")])
        let options = DistributedOptions(queueName: "dashboard-actions-\(UUID().uuidString.prefix(8))", stateTTLSeconds: 600)
        var registry = NodeRegistry()
        registry.register("echo") { ctx in NodeResult(output: ctx.input) }
        let worker = try DistributedWorker(
            blueprints: [blueprint], registry: registry, client: redis, options: options,
            workerOptions: WorkerOptions(concurrency: 2, drainDelay: 0.2))
        worker.start()
        let workflows = try WorkflowClient(client: redis, blueprints: [blueprint], options: options)
        let actions = RedisDashboardActions(client: workflows)
        do {
            let runID = try await workflows.startWorkflow(blueprintID: "greet")
            #expect(try await workflows.result(runID, timeout: .seconds(20)).status == .completed)
            // Found by review: the dashboard answered {"ok": true} and nothing changed.
            await #expect {
                try await actions.cancel(runID: runID)
            } throws: { error in
                (error as? DashboardActionRefused)?.description == "run '\(runID)' has already ended (completed); nothing cancelled"
            }
            #expect(try await workflows.status(runID)?.status == .completed)
            await #expect(throws: DashboardActionRefused.self) { try await actions.cancel(runID: "no-such-run") }
        } catch {
            await worker.close()
            await redis.close()
            throw error
        }
        await worker.close()
        await redis.close()
    }
}

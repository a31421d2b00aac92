import Flowcraft
import FlowcraftObservability
@testable import FlowcraftRedis
import MetricsTestKit
import Testing

/// The metrics middleware and run metrics, installed in the distributed engine's options, record
/// what they record in memory: node metrics come from the shared attempt loop.
@Suite("Distributed engine metrics", .requiresRedis)
struct DistributedObservabilityTests {
    struct Failure: Error, CustomStringConvertible {
        var description: String
    }

    /// `start` succeeds, `flaky` fails its first attempt, `broken` always fails.
    static let blueprint = WorkflowBlueprint(
        id: "observed",
        nodes: [
            NodeDefinition(id: "start", uses: "ok"),
            NodeDefinition(id: "flaky", uses: "flaky", config: NodeConfig(maxRetries: 2, retryDelay: 0)),
            NodeDefinition(id: "broken", uses: "broken"),
        ],
        edges: [EdgeDefinition(source: "start", target: "flaky"), EdgeDefinition(source: "flaky", target: "broken")])

    static var registry: NodeRegistry {
        var registry = NodeRegistry()
        registry.register("ok") { _ in NodeResult(output: "done") }
        registry.register("flaky") { ctx in
            if ctx.attempt == 1 { throw Failure(description: "first attempt fails") }
            return NodeResult(output: .int(ctx.attempt))
        }
        registry.register("broken") { _ in throw Failure(description: "always fails") }
        return registry
    }

    @Test("node metrics and run metrics of a run with a retried and a failed node", arguments: DistributedRetryMode.allCases)
    func retriedAndFailedNodes(retryMode: DistributedRetryMode) async throws {
        let metrics = TestMetrics()
        let runMetrics = MetricsEventHandler(factory: metrics)
        let result = try await DistributedTestSupport.withWorker(
            blueprints: [Self.blueprint], registry: Self.registry, queue: DistributedTestSupport.uniqueQueue("observe"),
            retryMode: retryMode,
            middleware: [MetricsMiddleware(factory: metrics)],
            eventHandler: runMetrics.wrapping(nil)
        ) { workflows, _ in
            let runID = try await workflows.startWorkflow(blueprintID: "observed")
            return try await workflows.result(runID, timeout: TestTiming.seconds(20))
        }
        #expect(result.status == .failed)

        func node(_ id: String) -> [(String, String)] { [("blueprint", "observed"), ("node", id)] }
        #expect(try metrics.expectCounter("flowcraft_node_attempts_total", node("start")).totalValue == 1)
        #expect(try metrics.expectCounter("flowcraft_node_attempts_total", node("flaky")).totalValue == 2)
        #expect(try metrics.expectCounter("flowcraft_node_retries_total", node("flaky")).totalValue == 1)
        #expect(try metrics.expectCounter("flowcraft_node_failures_total", node("flaky")).totalValue == 1)
        #expect(try metrics.expectCounter("flowcraft_node_failures_total", node("broken")).totalValue == 1)
        #expect(try metrics.expectTimer("flowcraft_node_duration", node("flaky") + [("outcome", "success")]).values.count == 1)
        #expect(try metrics.expectTimer("flowcraft_node_duration", node("broken") + [("outcome", "failure")]).values.count == 1)

        let blueprint = [("blueprint", "observed")]
        #expect(try metrics.expectCounter("flowcraft_runs_started_total", blueprint).totalValue == 1)
        #expect(try metrics.expectCounter("flowcraft_runs_finished_total", blueprint + [("status", "failed")]).totalValue == 1)
    }
}

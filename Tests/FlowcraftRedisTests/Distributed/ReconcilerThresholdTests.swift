import Flowcraft
@testable import FlowcraftRedis
import Testing

/// A stalled threshold that is not a finite number of seconds is clamped, never a crash.
@Suite("Reconciler threshold", .requiresRedis)
struct ReconcilerThresholdTests {
    @Test("thresholds of inf, 1e300, -inf and NaN are clamped; a pass runs")
    func nonFiniteThresholdsAreClamped() async throws {
        let client = try TestRedis.client()
        let options = DistributedOptions(queueName: DistributedTestSupport.uniqueQueue("threshold"))
        let catalog = try BlueprintCatalog([DistributedTestSupport.diamond()])
        let cases: [(Double, Double)] = [
            (.infinity, WorkflowReconciler.maximumStalledThresholdSeconds),
            (1e300, WorkflowReconciler.maximumStalledThresholdSeconds),
            (-.infinity, 0), (.nan, 300), (42.5, 42.5),
        ]
        for (given, expected) in cases {
            let reconciler = WorkflowReconciler(client: client, catalog: catalog, options: options, stalledThresholdSeconds: given)
            #expect(reconciler.stalledThresholdSeconds == expected, "\(given)")
            let stats = try await reconciler.run()
            #expect(stats.stalledRuns == 0)
        }
        await client.close()
    }
}

import CoreMetrics
import Flowcraft
import FlowcraftObservability
import MetricsTestKit
import Testing

@Suite("MetricsMiddleware and MetricsEventHandler (in-memory engine)")
struct MetricsMiddlewareTests {
    let id = ObservedBlueprint.id

    func node(_ node: String) -> [(String, String)] {
        [("blueprint", id), ("node", node)]
    }

    func duration(_ node: String, _ outcome: NodeAttemptOutcome) -> [(String, String)] {
        self.node(node) + [("outcome", outcome.rawValue)]
    }

    @Test func recordsAttemptsFailuresRetriesAndDurationsPerNode() async throws {
        let metrics = TestMetrics()
        let runtime = try ObservedBlueprint.runtime(middleware: [MetricsMiddleware(factory: metrics)])
        let result = try await runtime.run(id)
        #expect(result.status == .failed)

        #expect(try metrics.expectCounter("flowcraft_node_attempts_total", node("start")).totalValue == 1)
        #expect(try metrics.expectCounter("flowcraft_node_attempts_total", node("flaky")).totalValue == 2)
        #expect(try metrics.expectCounter("flowcraft_node_attempts_total", node("broken")).totalValue == 1)

        #expect(try metrics.expectCounter("flowcraft_node_failures_total", node("start")).totalValue == 0)
        #expect(try metrics.expectCounter("flowcraft_node_failures_total", node("flaky")).totalValue == 1)
        #expect(try metrics.expectCounter("flowcraft_node_failures_total", node("broken")).totalValue == 1)

        #expect(try metrics.expectCounter("flowcraft_node_retries_total", node("start")).totalValue == 0)
        #expect(try metrics.expectCounter("flowcraft_node_retries_total", node("flaky")).totalValue == 1)
        #expect(try metrics.expectCounter("flowcraft_node_retries_total", node("broken")).totalValue == 0)

        #expect(try metrics.expectTimer("flowcraft_node_duration", duration("start", .success)).values.count == 1)
        #expect(try metrics.expectTimer("flowcraft_node_duration", duration("flaky", .failure)).values.count == 1)
        #expect(try metrics.expectTimer("flowcraft_node_duration", duration("flaky", .success)).values.count == 1)
        #expect(try metrics.expectTimer("flowcraft_node_duration", duration("broken", .failure)).values.count == 1)
        // Only outcomes that happened have a series.
        #expect(metrics.timers(label: "flowcraft_node_duration").count == 4)
        for timer in metrics.timers(label: "flowcraft_node_duration") {
            #expect(timer.values.allSatisfy { $0 >= 0 })
        }
    }

    @Test func labelPrefixIsConfigurable() async throws {
        let metrics = TestMetrics()
        let runtime = try ObservedBlueprint.runtime(middleware: [MetricsMiddleware(prefix: "shop", factory: metrics)])
        _ = try await runtime.run(id)
        #expect(try metrics.expectCounter("shop_node_attempts_total", node("flaky")).totalValue == 2)
        #expect(try metrics.expectTimer("shop_node_duration", duration("broken", .failure)).values.count == 1)
        #expect(metrics.counters(label: "flowcraft_node_attempts_total").isEmpty)
    }

    @Test func metricObjectsAreMadeOncePerNodeAcrossRuns() async throws {
        let factory = CountingFactory()
        let runtime = try ObservedBlueprint.runtime(middleware: [MetricsMiddleware(factory: factory)])
        _ = try await runtime.run(id)
        let afterFirstRun = factory.made
        _ = try await runtime.run(id)
        _ = try await runtime.run(id)
        // 3 counters for each of 3 nodes and 4 (node, outcome) timers, never remade.
        #expect(afterFirstRun == CountingFactory.Made(counters: 9, timers: 4))
        #expect(factory.made == afterFirstRun)
        #expect(try factory.metrics.expectCounter("flowcraft_node_attempts_total", node("flaky")).totalValue == 6)
    }

    @Test func timeoutIsAFailureWithItsOwnOutcome() async throws {
        let blueprint = WorkflowBlueprint(
            id: "slow", nodes: [NodeDefinition(id: "wait", uses: "slow", config: NodeConfig(timeout: 20))], edges: [])
        var registry = NodeRegistry()
        registry.register("slow") { _ in
            try await Task.sleep(for: .seconds(60))
            return NodeResult(output: .null)
        }
        let metrics = TestMetrics()
        let runtime = try FlowRuntime(
            blueprints: [blueprint], registry: registry,
            options: FlowRuntime.Options(middleware: [MetricsMiddleware(factory: metrics)]))
        let result = try await runtime.run("slow")
        #expect(result.status == .failed)
        let dims = [("blueprint", "slow"), ("node", "wait")]
        #expect(try metrics.expectCounter("flowcraft_node_failures_total", dims).totalValue == 1)
        #expect(try metrics.expectTimer("flowcraft_node_duration", dims + [("outcome", "timeout")]).values.count == 1)
    }

    @Test func cancelledAttemptIsNeitherSuccessNorFailure() async throws {
        let blueprint = WorkflowBlueprint(id: "long", nodes: [NodeDefinition(id: "work", uses: "long")], edges: [])
        let (started, startedContinuation) = AsyncStream.makeStream(of: Void.self)
        var registry = NodeRegistry()
        registry.register("long") { _ in
            startedContinuation.yield()
            try await Task.sleep(for: .seconds(60))
            return NodeResult(output: nil)
        }
        let metrics = TestMetrics()
        let runtime = try FlowRuntime(
            blueprints: [blueprint], registry: registry,
            options: FlowRuntime.Options(middleware: [MetricsMiddleware(factory: metrics)]))
        let run = Task { try await runtime.run("long") }
        for await _ in started { break }
        run.cancel()
        #expect(try await run.value.status == .cancelled)

        let dims = [("blueprint", "long"), ("node", "work")]
        #expect(try metrics.expectCounter("flowcraft_node_attempts_total", dims).totalValue == 1)
        #expect(try metrics.expectCounter("flowcraft_node_failures_total", dims).totalValue == 0)
        #expect(try metrics.expectTimer("flowcraft_node_duration", dims + [("outcome", "cancelled")]).values.count == 1)
        #expect(metrics.timers(label: "flowcraft_node_duration").count == 1)
    }

    @Test func emptyPrefixLeavesBareNames() {
        let names = MetricNames(prefix: "")
        #expect(names.nodeDuration == "node_duration")
        #expect(names.runsFinished == "runs_finished_total")
        #expect(MetricNames().nodeRetries == "flowcraft_node_retries_total")
    }

    @Test func eventHandlerCountsRunsByStatusAndForwardsEvents() async throws {
        let metrics = TestMetrics()
        let seen = PthreadMutex<[WorkflowEventType]>([])
        let runMetrics = MetricsEventHandler(factory: metrics)
        let handler = runMetrics.wrapping { event in seen.withLock { $0.append(event.type) } }
        let runtime = try ObservedBlueprint.runtime(middleware: [], eventHandler: handler)
        _ = try await runtime.run(id)
        _ = try await runtime.run(id)

        let blueprint = [("blueprint", id)]
        #expect(try metrics.expectCounter("flowcraft_runs_started_total", blueprint).totalValue == 2)
        #expect(try metrics.expectCounter("flowcraft_runs_finished_total", blueprint + [("status", "failed")]).totalValue == 2)
        #expect(metrics.counters(label: "flowcraft_runs_finished_total").count == 1)
        #expect(try metrics.expectCounter("flowcraft_runs_paused_total", blueprint).totalValue == 0)
        let types = seen.withLock { $0 }
        #expect(types.filter { $0 == .workflowStart }.count == 2)
        #expect(types.contains(.nodeRetry))
    }

    @Test func pausedRunCountsAsPausedNotFinished() async throws {
        let blueprint = WorkflowBlueprint(
            id: "approval", nodes: [NodeDefinition(id: "approve", uses: "wait")], edges: [])
        let metrics = TestMetrics()
        let runMetrics = MetricsEventHandler(factory: metrics)
        let runtime = try FlowRuntime(
            blueprints: [blueprint],
            options: FlowRuntime.Options(eventHandler: runMetrics.wrapping(nil)))
        let paused = try await runtime.run("approval")
        #expect(paused.status == .awaiting)
        let resumed = try await runtime.resume(paused, action: "ok", output: .null)
        #expect(resumed.status == .completed)

        let dims = [("blueprint", "approval")]
        #expect(try metrics.expectCounter("flowcraft_runs_paused_total", dims).totalValue == 1)
        #expect(try metrics.expectCounter("flowcraft_runs_resumed_total", dims).totalValue == 1)
        #expect(try metrics.expectCounter("flowcraft_runs_finished_total", dims + [("status", "completed")]).totalValue == 1)
        #expect(metrics.counters(label: "flowcraft_runs_finished_total").count == 1)
    }

    @Test func globalDefaultsWorkWithoutBootstrap() async throws {
        // Nothing is bootstrapped in tests: the global factory is swift-metrics' no-op one.
        let runtime = try ObservedBlueprint.runtime(middleware: [MetricsMiddleware()])
        let result = try await runtime.run(id)
        #expect(result.status == .failed)
        #expect(result.errors.map(\.nodeID) == ["broken"])
    }
}

/// Counts how many metric objects are made, recording them in a `TestMetrics`.
final class CountingFactory: MetricsFactory, Sendable {
    struct Made: Equatable, Sendable {
        var counters = 0
        var timers = 0
    }

    let metrics = TestMetrics()
    private let counts = PthreadMutex(Made())
    var made: Made { counts.withLock { $0 } }

    func makeCounter(label: String, dimensions: [(String, String)]) -> any CounterHandler {
        counts.withLock { $0.counters += 1 }
        return metrics.makeCounter(label: label, dimensions: dimensions)
    }

    func makeRecorder(label: String, dimensions: [(String, String)], aggregate: Bool) -> any RecorderHandler {
        metrics.makeRecorder(label: label, dimensions: dimensions, aggregate: aggregate)
    }

    func makeTimer(label: String, dimensions: [(String, String)]) -> any TimerHandler {
        counts.withLock { $0.timers += 1 }
        return metrics.makeTimer(label: label, dimensions: dimensions)
    }

    func destroyCounter(_ handler: any CounterHandler) { metrics.destroyCounter(handler) }
    func destroyRecorder(_ handler: any RecorderHandler) { metrics.destroyRecorder(handler) }
    func destroyTimer(_ handler: any TimerHandler) { metrics.destroyTimer(handler) }
}

import CoreMetrics
import Flowcraft

/// Records swift-metrics for every node attempt: its duration by outcome and counters of attempts,
/// failures and retries (labels and dimensions in ``MetricNames``).
///
/// ```swift
/// let runtime = try FlowRuntime(
///     blueprints: blueprints, registry: registry, options: FlowRuntime.Options(middleware: [MetricsMiddleware()]))
/// ```
/// Works for the distributed engine too (`DistributedOptions(middleware:)`). Metric objects are
/// made on a node's first attempt and cached per blueprint and node, so later attempts only
/// look them up. The duration covers the middleware listed after this one, so list it first to
/// time them as well, last to time the node alone.
public struct MetricsMiddleware: NodeMiddleware {
    /// The labels recorded under.
    public let names: MetricNames
    private let counters: MetricsCache<NodeMetricKey, NodeCounters>
    private let timers: MetricsCache<NodeOutcomeKey, Timer>

    /// - Parameters:
    ///   - prefix: What every label starts with (`flowcraft_node_duration`, …).
    ///   - factory: Where metrics are made; `nil` for the global `MetricsSystem.factory`, read when a
    ///     node's metrics are first made (so bootstrapping after making the middleware is fine).
    public init(prefix: String = "flowcraft", factory: (any MetricsFactory)? = nil) {
        let names = MetricNames(prefix: prefix)
        self.names = names
        counters = MetricsCache { key in
            let dimensions = [
                (MetricNames.blueprintDimension, key.blueprintID), (MetricNames.nodeDimension, key.nodeID),
            ]
            let factory = factory ?? MetricsSystem.factory
            return NodeCounters(
                attempts: Counter(label: names.nodeAttempts, dimensions: dimensions, factory: factory),
                failures: Counter(label: names.nodeFailures, dimensions: dimensions, factory: factory),
                retries: Counter(label: names.nodeRetries, dimensions: dimensions, factory: factory))
        }
        timers = MetricsCache { key in
            Timer(
                label: names.nodeDuration,
                dimensions: [
                    (MetricNames.blueprintDimension, key.node.blueprintID),
                    (MetricNames.nodeDimension, key.node.nodeID),
                    (MetricNames.outcomeDimension, key.outcome.rawValue),
                ],
                factory: factory ?? MetricsSystem.factory)
        }
    }

    public func aroundNode(
        _ context: NodeContext, next: @Sendable () async throws -> NodeResult
    ) async throws -> NodeResult {
        let node = NodeMetricKey(blueprintID: context.blueprintID, nodeID: context.nodeID)
        let nodeCounters = counters[node]
        nodeCounters.attempts.increment()
        if context.attempt > 1 { nodeCounters.retries.increment() }
        let start = ContinuousClock.now
        do {
            let result = try await next()
            record(start: start, node: node, outcome: .success)
            return result
        } catch {
            let outcome = NodeAttemptOutcome(error: error)
            if outcome.isFailure { nodeCounters.failures.increment() }
            record(start: start, node: node, outcome: outcome)
            throw error
        }
    }

    private func record(start: ContinuousClock.Instant, node: NodeMetricKey, outcome: NodeAttemptOutcome) {
        let elapsed = start.duration(to: .now).components
        let nanoseconds = elapsed.seconds &* 1_000_000_000 &+ elapsed.attoseconds / 1_000_000_000
        timers[NodeOutcomeKey(node: node, outcome: outcome)].recordNanoseconds(nanoseconds)
    }
}

/// The counters of one node.
struct NodeCounters: Sendable {
    let attempts: Counter
    let failures: Counter
    let retries: Counter
}

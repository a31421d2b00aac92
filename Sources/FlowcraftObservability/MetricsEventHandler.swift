import CoreMetrics
import Flowcraft

/// Counts runs from `WorkflowEvent`s: started, resumed, paused, and finished by status (labels in
/// ``MetricNames``). Other events pass through uncounted.
///
/// ```swift
/// let runMetrics = MetricsEventHandler()
/// let runtime = try FlowRuntime(
///     blueprints: blueprints, options: FlowRuntime.Options(eventHandler: runMetrics.wrapping(myHandler)))
/// ```
/// Installing an event handler makes the engine build every event, so this costs more than
/// ``MetricsMiddleware`` alone. A `workflow:finish` whose status is `awaiting` (the in-memory
/// engine's pause) is not counted as finished: pauses count once, from `workflow:pause`, in both
/// engines. In the distributed engine `workflow:start` is counted where the run is started and
/// the rest where the workers emit them.
public struct MetricsEventHandler: Sendable {
    /// The labels recorded under.
    public let names: MetricNames
    private let runCounters: MetricsCache<String, RunCounters>
    private let finished: MetricsCache<FinishedRunKey, Counter>

    /// - Parameters:
    ///   - prefix: What every label starts with (`flowcraft_runs_started_total`, …).
    ///   - factory: Where metrics are made; `nil` for the global `MetricsSystem.factory`, read when a
    ///     metric is first made.
    public init(prefix: String = "flowcraft", factory: (any MetricsFactory)? = nil) {
        let names = MetricNames(prefix: prefix)
        self.names = names
        runCounters = MetricsCache { blueprintID in
            let dimensions = [(MetricNames.blueprintDimension, blueprintID)]
            let factory = factory ?? MetricsSystem.factory
            return RunCounters(
                started: Counter(label: names.runsStarted, dimensions: dimensions, factory: factory),
                resumed: Counter(label: names.runsResumed, dimensions: dimensions, factory: factory),
                paused: Counter(label: names.runsPaused, dimensions: dimensions, factory: factory))
        }
        finished = MetricsCache { key in
            Counter(
                label: names.runsFinished,
                dimensions: [(MetricNames.blueprintDimension, key.blueprintID), (MetricNames.statusDimension, key.status)],
                factory: factory ?? MetricsSystem.factory)
        }
    }

    /// Counts `event` if it is a run event.
    public func record(_ event: WorkflowEvent) {
        switch event.type {
        case .workflowStart:
            runCounters[event.blueprintID].started.increment()
        case .workflowResume:
            runCounters[event.blueprintID].resumed.increment()
        case .workflowPause:
            runCounters[event.blueprintID].paused.increment()
        case .workflowFinish:
            guard case .string(let status)? = event.payload["status"], status != WorkflowStatus.awaiting.rawValue
            else { return }
            finished[FinishedRunKey(blueprintID: event.blueprintID, status: status)].increment()
        default:
            return
        }
    }

    /// An event handler that counts each event, then passes it to `handler` (if any).
    public func wrapping(_ handler: WorkflowEventHandler?) -> WorkflowEventHandler {
        guard let handler else { return { event in self.record(event) } }
        return { event in
            self.record(event)
            handler(event)
        }
    }
}

/// The run counters of one blueprint.
struct RunCounters: Sendable {
    let started: Counter
    let resumed: Counter
    let paused: Counter
}

/// A blueprint and the status its runs finished with.
struct FinishedRunKey: Hashable, Sendable {
    var blueprintID: String
    var status: String
}

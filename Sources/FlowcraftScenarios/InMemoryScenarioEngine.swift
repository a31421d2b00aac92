import Flowcraft
import Foundation
import Synchronization

/// Runs scenarios on `FlowRuntime` with a `VirtualClock`, collecting every event.
package struct InMemoryScenarioEngine: ScenarioEngine {
    /// Where the runs record their history (none by default); the history tests run every scenario
    /// with one, which must change no outcome.
    package var history: (any RunHistoryRecorder)?

    package init(history: (any RunHistoryRecorder)? = nil) {
        self.history = history
    }

    package func execute(_ scenario: WorkflowScenario) async throws -> ScenarioOutcome {
        let probe = ScenarioProbe()
        let clock = VirtualClock()
        let events = Mutex<[WorkflowEvent]>([])
        let (started, startedContinuation) = AsyncStream<Void>.makeStream()
        let cancelNode = scenario.cancelWhenStarted
        let handler: WorkflowEventHandler = { event in
            events.withLock { $0.append(event) }
            if let cancelNode, event.type == .nodeStart, event.nodeID == cancelNode {
                startedContinuation.yield()
            }
        }
        func makeRuntime() throws -> FlowRuntime {
            try FlowRuntime(
                blueprints: scenario.blueprints, registry: scenario.makeRegistry(probe),
                options: FlowRuntime.Options(
                    eventHandler: handler, middleware: scenario.middleware(probe), concurrency: 8, clock: clock,
                    sizeLimits: scenario.sizeLimits ?? .unlimited, history: history))
        }
        var runtime = try makeRuntime()
        var result: WorkflowResult
        if scenario.cancelWhenStarted != nil {
            let handle = try runtime.start(scenario.blueprintID, context: scenario.context)
            for await _ in started {
                handle.cancel()
                break
            }
            result = try await handle.result()
        } else {
            result = try await runtime.run(scenario.blueprintID, context: scenario.context)
        }
        startedContinuation.finish()
        var intermediate = [result]
        for step in scenario.steps {
            switch step {
            case .resume(let nodeID, let action, let output):
                result = try await runtime.resume(result, nodeID: nodeID, action: action, output: output)
            case .wake:
                result = try await runtime.wake(result)
            case .persistAndReload:
                let data = try JSONEncoder().encode(result)
                result = try JSONDecoder().decode(WorkflowResult.self, from: data)
                await runtime.flushHistory()
                runtime = try makeRuntime()
            case .pause(let milliseconds):
                try await Task.sleep(for: .milliseconds(milliseconds))
            case .redrive:
                do {
                    result = try await runtime.redrive(result)
                } catch {
                    probe.record("redrive refused: \(error)")
                }
            }
            intermediate.append(result)
        }
        await runtime.flushHistory()
        return ScenarioOutcome(
            result: result, intermediate: intermediate, events: events.withLock { $0 },
            clockSleeps: clock.recordedSleeps, probe: probe)
    }
}

import Flowcraft
import FlowcraftDashboard
import Foundation
import Synchronization

/// A run history built from the engine's events as they happen (the worker's and the client's
/// `eventHandler`), standing in for the Redis history store in the browser tests: runs, node
/// executions with attempts, pauses, resumes and the end, as the real store records them.
final class EventRecordedHistory: RunHistoryReader, Sendable {
    private struct Run {
        var summary: RunSummary
        var events: [RunHistoryEvent] = []
        var attempts: [String: [RunHistoryEvent.Attempt]] = [:]
        var started: [String: Int64] = [:]
    }

    private let runs = Mutex<[String: Run]>([:])
    /// Node declarations by blueprint, for the failed node's YAML line.
    private let locations: [String: [String: SourceLocation]]

    init(blueprints: [WorkflowBlueprint]) {
        var locations: [String: [String: SourceLocation]] = [:]
        for blueprint in blueprints {
            for node in blueprint.nodes { locations[blueprint.id, default: [:]][node.id] = node.location }
        }
        self.locations = locations
    }

    static func now() -> Int64 { Int64(Date().timeIntervalSince1970 * 1000) }

    /// The handler to give the engine.
    var handler: WorkflowEventHandler {
        { [self] event in record(event) }
    }

    private func record(_ event: WorkflowEvent) {
        let time = Self.now()
        runs.withLock { runs in
            var run = runs[event.runID] ?? Run(
                summary: RunSummary(runID: event.runID, blueprintID: event.blueprintID, status: .running, startedAt: time))
            func append(_ kind: RunHistoryEvent.Kind) {
                run.events.append(RunHistoryEvent(sequence: run.events.count + 1, time: time, kind: kind))
            }
            let node = event.nodeID ?? ""
            switch event.type {
            case .workflowStart:
                append(.runStarted(.init(blueprintID: event.blueprintID, context: [:])))
            case .nodeStart:
                run.started[node] = time
            case .nodeError:
                run.attempts[node, default: []].append(
                    .init(startedAt: run.started[node] ?? time, endedAt: time, error: event.payload["error"]?.stringValue ?? "error"))
                run.started[node] = time
                if event.payload["willRetry"]?.boolValue == false {
                    let error = event.payload["error"]?.stringValue ?? "error"
                    append(.nodeFinished(.init(nodeID: node, status: .failed, attempts: run.attempts[node] ?? [], error: error)))
                    run.summary.failedNodeID = node
                    run.summary.error = error
                    run.summary.errorLocation = locations[event.blueprintID]?[node]
                    run.attempts[node] = nil
                }
            case .nodeFinish:
                var attempts = run.attempts[node] ?? []
                attempts.append(.init(startedAt: run.started[node] ?? time, endedAt: time))
                append(
                    .nodeFinished(
                        .init(
                            nodeID: node, status: .completed, attempts: attempts,
                            action: event.payload["action"]?.stringValue)))
                run.attempts[node] = nil
            case .workflowPause:
                append(.paused(nodes: event.payload["awaiting"]?.arrayValue?.compactMap(\.stringValue) ?? []))
                run.summary.status = .waiting
            case .workflowResume:
                append(.resumed(nodeID: node, action: nil))
                run.summary.status = .running
            case .workflowFinish:
                let status = RunHistoryStatus(rawValue: event.payload["status"]?.stringValue ?? "") ?? .failed
                run.summary.status = status
                run.summary.endedAt = time
                if status == .failed, run.summary.error == nil {
                    run.summary.error = event.payload["errors"]?.arrayValue?.first?.stringValue
                }
                append(.runEnded(.init(status: status, failedNodeID: run.summary.failedNodeID, error: run.summary.error)))
            default:
                break
            }
            runs[event.runID] = run
        }
    }

    func runs(_ query: RunQuery) async throws -> RunPage {
        let all = runs.withLock { $0.values.map(\.summary) }
            .filter { query.status == nil || $0.status == query.status }
            .sorted { ($0.startedAt, $0.runID) > ($1.startedAt, $1.runID) }
        return RunPage(runs: Array(all.prefix(query.limit)), nextCursor: nil)
    }

    func run(_ runID: String) async throws -> RunSummary? {
        runs.withLock { $0[runID]?.summary }
    }

    func events(of runID: String) async throws -> [RunHistoryEvent] {
        runs.withLock { $0[runID]?.events ?? [] }
    }
}

import Flowcraft

/// A node event that belongs to a change (`node:finish`, `node:fallback`, `batch:*`, `edge:evaluate`).
struct CommitEvent: Sendable {
    var type: WorkflowEventType
    var nodeID: String
    var payload: [String: JSONValue]
}

extension RunCommitter.Change {
    /// The node's events, in the in-memory engine's order (its context writes, then its own events),
    /// emitted just before the change is committed: a job whose completion is already committed is
    /// skipped before it runs and emits none, but two executions of one job racing (a stalled job
    /// recovered while the first still runs) both emit them, and only one commits.
    func emitNodeEvents(to events: EventEmitter) {
        guard mode != .start else { return }
        emitContextChanges(by: eventNodeID ?? NodeInstance(member: instance)?.nodeID, to: events)
        for event in self.events { events.emit(event.type, nodeID: event.nodeID, event.payload) }
    }

    /// The node's events before the script runs, unless `holding` them for its outcome
    /// (``RunCommitter``'s rule: a run-context limit is set).
    func emitBeforeCommit(to events: EventEmitter, holding: Bool) {
        if !holding { emitNodeEvents(to: events) }
    }

    /// Everything once the script answered `outcome`: the node's events, when `held` (unless the
    /// change failed the run over the run-context limit), then the run's events.
    func emitAfterCommit(_ outcome: RunCommitter.Outcome, to events: EventEmitter, held: Bool) {
        if held, outcome.limitFailure == nil { emitNodeEvents(to: events) }
        emitRunEvents(outcome, to: events)
    }

    /// The run's events once the script applied the change: dead-path skips, a stall, and the run's
    /// status change.
    func emitRunEvents(_ outcome: RunCommitter.Outcome, to events: EventEmitter) {
        guard outcome.commit == .committed else { return }
        let nodeID = eventNodeID ?? NodeInstance(member: instance)?.nodeID
        for member in outcome.died {
            events.emit(.nodeSkipped, nodeID: NodeInstance(member: member)?.nodeID ?? member, ["reason": "dead path"])
        }
        if !outcome.stalled.isEmpty {
            let nodes = outcome.stalled.map { JSONValue.string(NodeInstance(member: $0)?.nodeID ?? $0) }
            events.emit(.workflowStall, ["remainingNodes": .array(nodes)])
        }
        switch outcome.status {
        case .completed, .cancelled:
            events.emit(.workflowFinish, ["status": .string(outcome.runStatus), "errors": []])
        case .failed:
            var reason = reason
            if let limit = outcome.limitFailure, let nodeID {
                // The script failed the run over the run-context limit: the node failed (no attempt
                // reported it), as the in-memory engine reports it.
                events.emit(.nodeError, nodeID: nodeID, NodeAttemptLoop.errorPayload(message: limit, attempt: 1, willRetry: false))
                reason = "node '\(nodeID)': \(limit)"
            }
            events.emit(.workflowFinish, ["status": .string(DistributedRunStatus.Status.failed.rawValue), "errors": [.string(reason)]])
        case .awaiting where mode == .await:
            events.emit(.workflowPause, ["awaiting": .array(nodeID.map { [.string($0)] } ?? [])])
        case .awaiting where !outcome.parked.isEmpty:
            // A completion that left every pending node parked pauses the run, as in memory.
            let nodes = outcome.parked.map { NodeInstance(member: $0)?.nodeID ?? $0 }.sorted()
            events.emit(.workflowPause, ["awaiting": .array(nodes.map { .string($0) })])
        default:
            break
        }
    }

    /// The node's own writes in the order it made them, then the engine's writes (outputs, inputs).
    private func emitContextChanges(by nodeID: String?, to events: EventEmitter) {
        var valueByKey: [String: JSONValue] = [:]
        for (key, value) in values { valueByKey[key] = value }
        let deletedKeys = Set(deleted)
        var emitted: Set<String> = []
        for key in writeOrder where emitted.insert(key).inserted {
            if let value = valueByKey[key] {
                events.contextChange(by: nodeID, key: key, value: value)
            } else if deletedKeys.contains(key) {
                events.contextChange(by: nodeID, key: key, value: nil)
            }
        }
        for (key, value) in values where !emitted.contains(key) { events.contextChange(by: nodeID, key: key, value: value) }
        for key in deleted where !emitted.contains(key) { events.contextChange(by: nodeID, key: key, value: nil) }
    }
}

import FlowcraftModel

/// A run's context rebuilt from its history up to one event (`flowcraft replay RUN --until N`): the
/// context at the start, then every node execution's writes in order. No node runs.
public struct RunReplay: Sendable, Hashable, Codable {
    /// The context after event ``untilSequence`` (internal keys left out).
    public var context: [String: JSONValue]
    /// The last event applied.
    public var untilSequence: Int
    /// The last event the history holds.
    public var lastSequence: Int
    /// The node executions applied, in order (`node` or `node#iteration` inside loops).
    public var appliedNodes: [String]
    /// `false` when the history's oldest events were dropped (the per-run cap) before the run's start:
    /// the context then lacks the start context and the dropped writes.
    public var complete: Bool

    /// Why a replay cannot be made.
    public struct Failure: Error, Sendable, Hashable, CustomStringConvertible {
        public var description: String
    }

    /// Replays `events` (in sequence order) up to `until` (every event when `nil`). Throws for an empty
    /// history, for `until` below 1, and for an `until` before the oldest event kept (the history cap
    /// dropped it: there is no context to show at that point).
    public init(events: [RunHistoryEvent], until: Int? = nil) throws(Failure) {
        if let until, until < 1 { throw Failure(description: "--until must be 1 or more (got \(until))") }
        guard let first = events.first, let last = events.last else {
            throw Failure(description: "the run has no history events")
        }
        if let until, until < first.sequence {
            throw Failure(
                description: "event \(until) was dropped by the history cap: the oldest event kept is \(first.sequence) (of \(last.sequence))")
        }
        let limit = until ?? last.sequence
        context = [:]
        appliedNodes = []
        lastSequence = last.sequence
        untilSequence = 0
        complete = false
        for event in events where event.sequence <= limit {
            untilSequence = event.sequence
            switch event.kind {
            case .runStarted(let start):
                complete = true
                for (key, value) in start.context where !ContextKeys.isInternal(key) { context[key] = value }
            case .nodeFinished(let execution):
                for (key, value) in execution.writes where !ContextKeys.isInternal(key) { context[key] = value }
                appliedNodes.append(
                    execution.iteration == 0 ? execution.nodeID : "\(execution.nodeID)#\(execution.iteration)")
            case .paused, .resumed, .redriven, .runEnded:
                break
            }
        }
    }
}

import Flowcraft

/// A run history recorder keeping every batch in memory: what an in-memory run recorded, to compare
/// with the distributed engine's history of the same blueprint.
final class CollectedHistory: RunHistoryRecorder {
    private let batches = PthreadMutex<[RunHistoryBatch]>([])

    func record(_ summary: RunSummary, events: [RunHistoryEvent]) async throws {
        batches.withLock { $0.append(RunHistoryBatch(summary: summary, events: events)) }
    }

    /// Every event recorded, in order (all runs).
    var allEvents: [RunHistoryEvent] { batches.withLock { $0.flatMap(\.events) } }

    /// The last summary recorded for `runID`.
    func summary(of runID: String) -> RunSummary? {
        batches.withLock { $0.last { $0.summary.runID == runID }?.summary }
    }

    /// Each run's events, by run id.
    var eventsByRun: [String: [RunHistoryEvent]] {
        batches.withLock { batches in
            var events: [String: [RunHistoryEvent]] = [:]
            for batch in batches { events[batch.summary.runID, default: []] += batch.events }
            return events
        }
    }
}

/// What one ``RunHistoryRecorder/record(_:events:)`` call carries: a run's summary as it is now and
/// the events recorded since the previous batch of that run.
public struct RunHistoryBatch: Sendable, Hashable {
    /// The run's summary after these events.
    public var summary: RunSummary
    /// The events, in order.
    public var events: [RunHistoryEvent]

    /// A batch of `events` of the run `summary` describes.
    public init(summary: RunSummary, events: [RunHistoryEvent]) {
        self.summary = summary
        self.events = events
    }
}

extension RunHistoryRecorder {
    /// Records several batches (of one run or several) in order. The in-memory engine hands over
    /// every batch queued while the previous call ran in one call; a store can write them in one
    /// transaction. By default, one ``record(_:events:)`` per batch.
    public func record(batches: [RunHistoryBatch]) async throws {
        for batch in batches { try await record(batch.summary, events: batch.events) }
    }
}

/// Where a run's history stands, kept in a paused run's snapshot so that the resumed run numbers
/// its events on and keeps its start time and parent.
public struct RunHistoryPosition: Sendable, Hashable, Codable {
    /// When the run started (ms since the Unix epoch, on the runtime's clock).
    public var startedAt: Int64
    /// The sequence number of the run's next event.
    public var nextSequence: Int
    /// The parent run, for a subflow's child run.
    public var parentRunID: String?
    /// The parent run's subflow node, for a child run.
    public var parentNodeID: String?

    /// A position: the run's start time, its next event number and its parent.
    public init(startedAt: Int64, nextSequence: Int, parentRunID: String? = nil, parentNodeID: String? = nil) {
        self.startedAt = startedAt
        self.nextSequence = nextSequence
        self.parentRunID = parentRunID
        self.parentNodeID = parentNodeID
    }
}

/// Reads run history: what `flowcraft runs`, `inspect`, `graph --run`, `replay` and the dashboard
/// use, whichever engine recorded it (Redis for the distributed engine, SQLite for the in-memory one).
public protocol RunHistoryReader: Sendable {
    /// Runs matching `query`, newest first, one page at a time.
    func runs(_ query: RunQuery) async throws -> RunPage
    /// One run, or `nil` when the history has none with this id (never recorded, or expired).
    func run(_ runID: String) async throws -> RunSummary?
    /// The run's events in order (at most the per-run cap; the oldest are dropped first).
    func events(of runID: String) async throws -> [RunHistoryEvent]
}

/// Records run history. The in-memory engine calls it (batched per run, off the node's hot path);
/// the distributed engine records in the same Redis script call that commits each node instead.
public protocol RunHistoryRecorder: Sendable {
    /// Appends `events` to the run's history and updates its summary.
    func record(_ summary: RunSummary, events: [RunHistoryEvent]) async throws
    /// Records several batches in order, e.g. in one transaction (by default one
    /// ``record(_:events:)`` per batch).
    func record(batches: [RunHistoryBatch]) async throws
}

/// A store that both records and reads.
public typealias RunHistoryStore = RunHistoryReader & RunHistoryRecorder

/// A ``RunQuery`` a store refuses — the query's fault, not the store's: a cursor it did not hand
/// out, a page size out of range. Tools answer it as a usage error naming ``parameter``.
public struct RunQueryError: Error, Sendable, Hashable, CustomStringConvertible {
    /// The query field at fault: `cursor` or `limit`.
    public var parameter: String
    /// What is wrong with it.
    public var message: String

    /// A refusal of the query's `parameter`, saying why.
    public init(parameter: String, message: String) {
        self.parameter = parameter
        self.message = message
    }

    public var description: String { "\(parameter): \(message)" }
}

/// Filters and paging for ``RunHistoryReader/runs(_:)``.
public struct RunQuery: Sendable, Hashable {
    /// Only runs with this status.
    public var status: RunHistoryStatus?
    /// Only runs of this blueprint.
    public var blueprintID: String?
    /// Only runs started at or after this time (ms since the Unix epoch).
    public var since: Int64?
    /// At most this many runs per page (1…1000).
    public var limit: Int
    /// Where the previous page ended (``RunPage/nextCursor``); `nil` for the first page.
    public var cursor: String?

    /// A query; without arguments, the newest 50 runs.
    public init(
        status: RunHistoryStatus? = nil, blueprintID: String? = nil, since: Int64? = nil, limit: Int = 50,
        cursor: String? = nil
    ) {
        self.status = status
        self.blueprintID = blueprintID
        self.since = since
        self.limit = limit
        self.cursor = cursor
    }
}

/// One page of runs, newest first.
public struct RunPage: Sendable, Hashable {
    /// The runs of this page, newest first.
    public var runs: [RunSummary]
    /// Pass this as ``RunQuery/cursor`` for the next page; `nil` on the last page.
    public var nextCursor: String?

    /// A page of `runs`.
    public init(runs: [RunSummary], nextCursor: String?) {
        self.runs = runs
        self.nextCursor = nextCursor
    }
}

import Dispatch
import Flowcraft
import Foundation

/// Run history in a SQLite file, for the in-memory engine: pass it as
/// ``FlowRuntime/Options/history`` and read it back with the ``RunHistoryReader`` methods (what
/// `flowcraft runs/inspect --db FILE` use).
///
/// ```swift
/// let history = try await SQLiteRunHistory(path: "runs.sqlite")
/// let runtime = try FlowRuntime(blueprints: blueprints, registry: registry, options: .init(history: history))
/// ```
/// The file is in WAL mode; every ``record(batches:)`` call is one transaction of prepared
/// statements. Every SQLite call runs on the store's own serial dispatch queue, never on Swift's
/// cooperative thread pool. A run keeps at most ``Options/maximumEventsPerRun`` events (the oldest
/// are dropped first); runs not written to for ``Options/retentionSeconds`` are deleted.
public final class SQLiteRunHistory: RunHistoryReader, RunHistoryRecorder, RecordedHistoryRecorder, Sendable {
    /// Limits of the store.
    public struct Options: Sendable, Hashable {
        /// Events kept per run (10 000 by default, at least 1); the oldest go first.
        public var maximumEventsPerRun: Int
        /// Runs whose history was last written longer ago than this (by the wall clock) are deleted
        /// with their events: 7 days by default; `nil` keeps every run. Checked on open and at most
        /// once a minute while recording.
        public var retentionSeconds: Int?

        /// 10 000 events per run.
        public static let defaultMaximumEventsPerRun = 10_000
        /// 7 days.
        public static let defaultRetentionSeconds = 7 * 86_400

        /// Options; `retentionSeconds: nil` keeps every run.
        public init(
            maximumEventsPerRun: Int = Options.defaultMaximumEventsPerRun,
            retentionSeconds: Int? = Options.defaultRetentionSeconds
        ) {
            self.maximumEventsPerRun = maximumEventsPerRun
            self.retentionSeconds = retentionSeconds
        }
    }

    /// The database file.
    public let path: String
    /// The cap and retention this store applies (none for a reader).
    public let options: Options
    /// Opened with ``init(readingFrom:)``: reads only.
    public let isReadOnly: Bool
    private let queue: DispatchQueue
    private let store: SQLiteHistoryWriter

    /// Opens the history in `path`, creating the file and its tables when missing. Throws
    /// ``SQLiteHistoryError`` naming the file when it cannot be opened, is not a SQLite database or is
    /// damaged, or was written by a newer Flowcraft.
    public init(path: String, options: Options = Options()) async throws(SQLiteHistoryError) {
        guard options.maximumEventsPerRun >= 1 else {
            throw SQLiteHistoryError(
                .invalidArgument, path: path,
                message: "maximumEventsPerRun must be at least 1, got \(options.maximumEventsPerRun)")
        }
        if let retention = options.retentionSeconds, retention < 1 {
            throw SQLiteHistoryError(
                .invalidArgument, path: path, message: "retentionSeconds must be at least 1 (or nil), got \(retention)")
        }
        let queue = DispatchQueue(label: "flowcraft.sqlite-history")
        self.path = path
        self.options = options
        self.isReadOnly = false
        self.queue = queue
        self.store = try await Self.run(on: queue) { () throws(SQLiteHistoryError) in
            try SQLiteHistoryWriter(path: path, options: options)
        }
    }

    /// Opens the history in `path` for reading only, as `flowcraft runs/inspect --db FILE` do: the file
    /// must exist, and nothing in it is created, converted or deleted (an app recording into it keeps
    /// its own retention and cap, and an app of the previous version can still open it). Every event
    /// the file holds is read: past a run's cap, up to one stored row (256 events) more than the
    /// recording store returns. Recording through it fails with ``SQLiteHistoryError/Cause/readOnly``;
    /// a file of the first layout (schema version 1) fails with
    /// ``SQLiteHistoryError/Cause/olderSchema`` until a recording store has opened it once. In a
    /// directory this process may not write (where SQLite cannot create the shared-memory file a WAL
    /// database is read through), the file is read as it is, without its log.
    public init(readingFrom path: String) async throws(SQLiteHistoryError) {
        let queue = DispatchQueue(label: "flowcraft.sqlite-history")
        let options = Options(maximumEventsPerRun: .max, retentionSeconds: nil)
        self.path = path
        self.options = options
        self.isReadOnly = true
        self.queue = queue
        self.store = try await Self.run(on: queue) { () throws(SQLiteHistoryError) in
            try SQLiteHistoryWriter(path: path, options: options, readOnly: true)
        }
    }

    // MARK: - RunHistoryRecorder

    public func record(_ summary: RunSummary, events: [RunHistoryEvent]) async throws {
        try await record(batches: [RunHistoryBatch(summary: summary, events: events)])
    }

    /// Writes every batch in one transaction.
    public func record(batches: [RunHistoryBatch]) async throws {
        let store = self.store
        let queue = self.queue
        try await Self.run(on: queue) { () throws(SQLiteHistoryError) in
            try store.record(batches)
            Self.scheduleIdleCheckpoint(store, on: queue)
        }
    }

    /// Writes the in-memory engine's recorded batches in one transaction (its node executions
    /// straight from the runs' records: the rows ``record(batches:)`` writes for their events).
    ///
    /// The store holds none of the batches once this returns: the engine's delivery then empties
    /// their buffers in place for the runs to reuse (while the store still held them, emptying them
    /// copied them, and the originals were freed on the store's thread).
    package func record(recorded batches: [RecordedHistoryBatch]) async throws {
        let store = self.store
        let handed = SQLiteHandOff(batches)
        let queue = self.queue
        try await Self.run(on: queue) { () throws(SQLiteHistoryError) in
            guard let batches = handed.take() else { return }
            try store.record(recorded: batches)
            Self.scheduleIdleCheckpoint(store, on: queue)
        }
    }

    /// On `queue`, after a write: checkpoints the log once the writing has paused for
    /// ``SQLiteHistorySchema/checkpointPause`` (one check scheduled at a time; while writes keep
    /// coming it is put off, and SQLite checkpoints by itself only past
    /// ``SQLiteHistorySchema/checkpointPagesWithoutPause`` pages). A failed checkpoint is tried again
    /// at the next pause; SQLite's own still bounds the log.
    private static func scheduleIdleCheckpoint(_ store: SQLiteHistoryWriter, on queue: DispatchQueue) {
        guard !store.idleCheckScheduled else { return }
        store.idleCheckScheduled = true
        checkForPause(store, on: queue, after: SQLiteHistorySchema.checkpointPause)
    }

    private static func checkForPause(_ store: SQLiteHistoryWriter, on queue: DispatchQueue, after delay: Duration) {
        let nanoseconds = Int((delay / .nanoseconds(1)).rounded(.up))
        queue.asyncAfter(deadline: .now() + .nanoseconds(max(1, nanoseconds))) {
            let quiet = ContinuousClock.now - store.lastWrite
            if quiet < SQLiteHistorySchema.checkpointPause {
                checkForPause(store, on: queue, after: SQLiteHistorySchema.checkpointPause - quiet)
                return
            }
            store.idleCheckScheduled = false
            try? store.checkpointIfIdle()
        }
    }

    /// Copies everything written so far from the write-ahead log into the database file, as the
    /// store does by itself once the writing pauses for 100 ms: call it (after
    /// ``FlowRuntime/flushHistory()``) before the process exits, so that the file alone — copied,
    /// backed up, opened read-only — holds the history.
    public func checkpoint() async throws {
        let store = self.store
        try await Self.run(on: queue) { () throws(SQLiteHistoryError) in try store.checkpointIfIdle() }
    }

    // MARK: - RunHistoryReader

    public func runs(_ query: RunQuery) async throws -> RunPage {
        // The query's own mistakes, as ``RunQueryError`` (a usage error, not the store's).
        guard (1...1000).contains(query.limit) else {
            throw RunQueryError(parameter: "limit", message: "the page size must be 1…1000 (got \(query.limit))")
        }
        if let cursor = query.cursor, SQLiteHistoryWriter.parseCursor(cursor) == nil {
            throw RunQueryError(parameter: "cursor", message: "'\(cursor)' is not a cursor this history handed out")
        }
        let store = self.store
        return try await Self.run(on: queue) { () throws(SQLiteHistoryError) in try store.runs(query) }
    }

    public func run(_ runID: String) async throws -> RunSummary? {
        let store = self.store
        return try await Self.run(on: queue) { () throws(SQLiteHistoryError) in try store.run(runID) }
    }

    public func events(of runID: String) async throws -> [RunHistoryEvent] {
        let store = self.store
        return try await Self.run(on: queue) { () throws(SQLiteHistoryError) in try store.events(of: runID) }
    }

    /// Deletes the runs older than ``Options/retentionSeconds`` now; returns how many went.
    @discardableResult
    public func pruneExpiredRuns() async throws -> Int {
        let store = self.store
        return try await Self.run(on: queue) { () throws(SQLiteHistoryError) in try store.prune(force: true) }
    }

    /// Runs `body` on `queue` (off the cooperative pool) and resumes with its result.
    private static func run<T: Sendable>(
        on queue: DispatchQueue, _ body: @escaping @Sendable () throws(SQLiteHistoryError) -> T
    ) async throws(SQLiteHistoryError) -> T {
        let result: Result<T, SQLiteHistoryError> = await withCheckedContinuation { continuation in
            queue.async {
                do throws(SQLiteHistoryError) {
                    continuation.resume(returning: .success(try body()))
                } catch {
                    continuation.resume(returning: .failure(error))
                }
            }
        }
        return try result.get()
    }
}

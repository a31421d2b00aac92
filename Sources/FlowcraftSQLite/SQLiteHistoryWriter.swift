import CSQLite
import Flowcraft
import Foundation

/// The store's work on its connection: only ever called on ``SQLiteRunHistory``'s serial queue, which
/// is what makes the unchecked `Sendable` sound.
final class SQLiteHistoryWriter: @unchecked Sendable {
    private let connection: SQLiteConnection
    private let options: SQLiteRunHistory.Options
    /// Opened for reading only: nothing is created, converted, pruned or written.
    private let readOnly: Bool
    /// Wall-clock ms of the last retention pass.
    private var lastPrune: Int64 = 0
    /// The events of the run being written, packed, up to a chunk (reused).
    private var chunk = SQLiteEventPacker()
    /// The statements of every batch, held here (the connection's cache looks a statement up by its
    /// SQL text: a hash of a few hundred bytes per call).
    /// `nil` when opened for reading only (a file of version 2 or 3 has no columns for it).
    private let upsertRun: SQLiteStatement?
    private let insertChunk: SQLiteStatement
    private let selectLastSequence: SQLiteStatement
    /// Whether runs' rows can keep their first events (version 4; a reader may open 2 or 3).
    private let hasInlineEvents: Bool
    /// Chunk rows written since ``chunk`` was last emptied for a batch.
    private var chunkRowsWritten = 0
    /// Monotonic time of the last write (``noteWrite()``), for ``checkpointIfIdle()``.
    private(set) var lastWrite = ContinuousClock.now
    /// Something was written since the last checkpoint.
    private var written = false
    /// An idle check is scheduled on the store's queue (``SQLiteRunHistory``).
    var idleCheckScheduled = false

    /// Opens (and creates or converts) the file to record into, or, `readOnly`, a file of the
    /// current or the previous layout as it is.
    init(path: String, options: SQLiteRunHistory.Options, readOnly: Bool = false) throws(SQLiteHistoryError) {
        self.options = options
        self.readOnly = readOnly
        let connection: SQLiteConnection
        let version: Int
        do {
            (connection, version) = try Self.open(path, readOnly: readOnly, immutable: false)
        } catch where readOnly && Self.needsWriteAccess(error) {
            // A file in WAL mode is read through a shared-memory file beside it, which a reader
            // that may not write the directory cannot create: read the file as it is.
            (connection, version) = try Self.open(path, readOnly: true, immutable: true)
        }
        self.connection = connection
        if version > SQLiteHistorySchema.version {
            throw SQLiteHistoryError(
                .newerSchema, path: path,
                message: "written by a newer Flowcraft (schema version \(version), this one reads \(SQLiteHistorySchema.version))")
        }
        if readOnly {
            // Versions 2 and 3 read as 4 does (text rows, descending or full indexes and a rowid
            // chunk table are read as they are); version 1 only a recording store converts.
            guard version >= 2 else {
                throw SQLiteHistoryError(
                    .olderSchema, path: path,
                    message: version == 0
                        ? "not a Flowcraft run history (no schema version)"
                        : "written by an earlier Flowcraft (schema version \(version)): open it once with SQLiteRunHistory(path:), which converts it")
            }
        } else {
            // A new file gets pages of ``SQLiteHistorySchema/pageBytes`` (set before anything is
            // written; a file created earlier keeps its own).
            if version == 0 { try connection.execute("PRAGMA page_size = \(SQLiteHistorySchema.pageBytes)") }
            try connection.execute("PRAGMA journal_mode = WAL")
            try connection.execute("PRAGMA synchronous = NORMAL")
            // Checkpoints wait for a pause in the writing (``checkpointIfIdle()``); SQLite's own at
            // this many pages only under writing that never pauses. The log file is cut back to
            // `journal_size_limit` after a checkpoint.
            connection.setAutomaticCheckpoint(pages: SQLiteHistorySchema.checkpointPagesWithoutPause)
            try connection.execute("PRAGMA journal_size_limit = \(SQLiteHistorySchema.logBytesKept)")
            try connection.transaction { () throws(SQLiteHistoryError) in
                // A file of an earlier version is converted in place (the same runs and events).
                switch version {
                case 1: try connection.execute(SQLiteHistorySchema.migrateFromVersion1)
                case 2: try connection.execute(SQLiteHistorySchema.migrateFromVersion2)
                case 3: try connection.execute(SQLiteHistorySchema.migrateFromVersion3)
                default: try connection.execute(SQLiteHistorySchema.create)
                }
                try connection.execute("PRAGMA user_version = \(SQLiteHistorySchema.version)")
            }
        }
        hasInlineEvents = !readOnly || version >= 4
        upsertRun = readOnly ? nil : try connection.statement(SQLiteHistorySchema.upsertRun)
        insertChunk = try connection.statement(SQLiteHistorySchema.insertChunk)
        selectLastSequence = try connection.statement(SQLiteHistorySchema.lastSequence)
        if !readOnly { try prune(force: true) }
    }

    /// Opens `path` and reads its schema version (the first statement: a file that is not a
    /// database fails here).
    private static func open(_ path: String, readOnly: Bool, immutable: Bool) throws(SQLiteHistoryError) -> (SQLiteConnection, Int) {
        let connection = try SQLiteConnection(path: path, readOnly: readOnly, immutable: immutable)
        let versionStatement = try connection.statement("PRAGMA user_version")
        let version = try versionStatement.step() ? Int(versionStatement.int64(0) ?? 0) : 0
        versionStatement.reset()
        return (connection, version)
    }

    /// Whether reading failed only because SQLite needed to write beside the file (a read-only
    /// directory or file system).
    private static func needsWriteAccess(_ error: SQLiteHistoryError) -> Bool {
        guard let code = error.code else { return false }
        return code & 0xff == SQLITE_READONLY || code & 0xff == SQLITE_CANTOPEN
    }

    // MARK: - Writing

    /// Notes a write now: the log is checkpointed once the writing pauses.
    private func noteWrite() {
        lastWrite = .now
        written = true
    }

    /// Checkpoints the write-ahead log when anything was written since the last checkpoint: called
    /// once the writing paused for ``SQLiteHistorySchema/checkpointPause``, so that copying the log
    /// into the file (and its `fsync`) does not take a core from runs recording in a burst.
    func checkpointIfIdle() throws(SQLiteHistoryError) {
        guard written, !readOnly else { return }
        try connection.checkpoint()
        written = false
    }

    func record(_ batches: [RunHistoryBatch]) throws(SQLiteHistoryError) {
        try refuseIfReadOnly()
        noteWrite()
        let now = Self.wallClockMilliseconds()
        try connection.transaction { () throws(SQLiteHistoryError) in
            for batch in batches { try record(batch, now: now) }
        }
        try prune(force: false)
    }

    /// Writes runs' recorded batches (their node executions straight from the records) in one
    /// transaction: the same rows as ``record(_:)`` of the batches' public events.
    func record(recorded batches: [RecordedHistoryBatch]) throws(SQLiteHistoryError) {
        try refuseIfReadOnly()
        noteWrite()
        let now = Self.wallClockMilliseconds()
        try connection.transaction { () throws(SQLiteHistoryError) in
            for batch in batches {
                guard let sequences = batch.sequences else { continue }
                let summary = batch.summary
                try record(summary, startsRun: sequences.lowerBound == 1, newestInBatch: sequences.upperBound, now: now) { dropThrough throws(SQLiteHistoryError) in
                    // Read in place (iterating the entries copied each, a retain and a release per
                    // reference in it); every entry is kept unless the cap drops some.
                    try batch.entries.withUnsafeBufferPointer { entries throws(SQLiteHistoryError) in
                        let keepsAll = dropThrough < sequences.lowerBound
                        for i in entries.indices where keepsAll || entries[i].sequence > dropThrough {
                            switch entries[i] {
                            case .node(let record):
                                chunk.append(record, writes: batch.writes)
                            case .runStarted(let sequence, let time, let context):
                                chunk.appendRunStarted(sequence: sequence, time: time, summary: summary, context: context)
                            case .runEnded(let sequence, let time):
                                chunk.appendRunEnded(sequence: sequence, time: time, summary: summary)
                            case .event(let event):
                                chunk.append(event)
                            }
                            try flushChunkIfFull(runID: summary.runID)
                        }
                    }
                }
            }
        }
        try prune(force: false)
    }

    private func record(_ batch: RunHistoryBatch, now: Int64) throws(SQLiteHistoryError) {
        let newestInBatch = batch.events.map(\.sequence).max() ?? 0
        let startsRun = batch.events.contains { $0.sequence == 1 }
        try record(batch.summary, startsRun: startsRun, newestInBatch: newestInBatch, now: now) { dropThrough throws(SQLiteHistoryError) in
            for event in batch.events where event.sequence > dropThrough {
                chunk.append(event)
                try flushChunkIfFull(runID: batch.summary.runID)
            }
        }
    }

    /// Lets `appendEvents` append the events above the cap to ``chunk`` (it is given the sequence at
    /// or below which events are beyond the cap), upserts the run's summary, with the events when
    /// they are the run's first and fit a chunk (kept in the run's row), writes them as a chunk
    /// otherwise, then drops the run's events beyond the cap.
    private func record(
        _ summary: RunSummary, startsRun: Bool, newestInBatch: Int, now: Int64,
        appendEvents: (Int) throws(SQLiteHistoryError) -> Void
    ) throws(SQLiteHistoryError) {
        let runID = summary.runID
        // A batch with the run's first event is the run's first (a run's events are numbered on
        // across pauses and redrives): nothing of it is stored yet, no lookup needed. (A batch
        // written again is stored again; at worst its run's cap is applied at its next batch.)
        let previous = startsRun ? 0 : try lastSequence(of: runID)
        let newest = max(previous, newestInBatch)
        // Events at or below this sequence are beyond the cap.
        let dropThrough = newest - options.maximumEventsPerRun

        chunk.removeAll()
        chunkRowsWritten = 0
        try appendEvents(dropThrough)
        // The run's first events, all in one chunk: kept in its row, one statement for both.
        let inline = startsRun && chunkRowsWritten == 0 && chunk.count > 0

        guard let upsert = upsertRun else { throw readOnlyError }
        upsert.reset()
        upsert.bind(1, runID)
        upsert.bind(2, summary.blueprintID)
        upsert.bind(3, summary.blueprintVersion)
        upsert.bind(4, summary.status.rawValue)
        upsert.bind(5, summary.startedAt)
        upsert.bind(6, summary.endedAt)
        upsert.bind(7, summary.parentRunID)
        upsert.bind(8, summary.parentNodeID)
        upsert.bind(9, summary.failedNodeID)
        upsert.bind(10, summary.error)
        upsert.bind(11, summary.errorLocation.map { JSONText.serialize(SQLiteEventCoding.location($0)) })
        upsert.bind(12, summary.redriveCount)
        upsert.bind(13, Int64(newestInBatch))
        upsert.bind(14, now)
        if inline {
            chunk.withBytes { upsert.bind(15, blob: $0) }
            upsert.bind(16, chunk.lastSequence)
        }
        try upsert.run()
        // Kept unless the row holds a later event of the run (the update was skipped): then the
        // events go to a chunk like any other batch's.
        if inline && connection.changes > 0 { chunk.removeAll() }
        try flushChunk(runID: runID)
        if dropThrough > 0 && previous > 0 {
            let trim = try connection.statement(SQLiteHistorySchema.trimChunks)
            trim.bind(1, runID)
            trim.bind(2, dropThrough)
            try trim.run()
            let trimInline = try connection.statement(SQLiteHistorySchema.trimInlineEvents)
            trimInline.bind(1, runID)
            trimInline.bind(2, dropThrough)
            try trimInline.run()
        }
    }

    private func flushChunkIfFull(runID: String) throws(SQLiteHistoryError) {
        if chunk.count >= SQLiteHistorySchema.maximumEventsPerChunk { try flushChunk(runID: runID) }
    }

    /// Writes ``chunk`` as a row of `runID` (nothing when empty) and empties it.
    private func flushChunk(runID: String) throws(SQLiteHistoryError) {
        guard chunk.count > 0 else { return }
        let insert = insertChunk
        insert.reset()
        insert.bind(1, runID)
        insert.bind(2, chunk.lastSequence)
        insert.bind(3, chunk.firstSequence)
        chunk.withBytes { insert.bind(4, blob: $0) }
        try insert.run()
        chunk.removeAll()
        chunkRowsWritten += 1
    }

    private func lastSequence(of runID: String) throws(SQLiteHistoryError) -> Int {
        let statement = selectLastSequence
        statement.reset()
        statement.bind(1, runID)
        defer { statement.reset() }
        return try statement.step() ? Int(statement.int64(0) ?? 0) : 0
    }

    /// Deletes runs past the retention (at most once a minute unless `force`); returns how many.
    @discardableResult
    func prune(force: Bool) throws(SQLiteHistoryError) -> Int {
        try refuseIfReadOnly()
        guard let retention = options.retentionSeconds else { return 0 }
        let now = Self.wallClockMilliseconds()
        guard force || now - lastPrune >= 60_000 else { return 0 }
        lastPrune = now
        let cutoff = now - Int64(retention) * 1000
        return try connection.transaction { () throws(SQLiteHistoryError) -> Int in
            let events = try connection.statement(SQLiteHistorySchema.pruneEvents)
            events.bind(1, cutoff)
            try events.run()
            let runs = try connection.statement(SQLiteHistorySchema.pruneRuns)
            runs.bind(1, cutoff)
            try runs.run()
            return connection.changes
        }
    }

    private func refuseIfReadOnly() throws(SQLiteHistoryError) {
        guard readOnly else { return }
        throw readOnlyError
    }

    private var readOnlyError: SQLiteHistoryError {
        SQLiteHistoryError(
            .readOnly, path: connection.path,
            message: "opened for reading only (SQLiteRunHistory(readingFrom:)); record through SQLiteRunHistory(path:)")
    }

    // MARK: - Reading

    func runs(_ query: RunQuery) throws(SQLiteHistoryError) -> RunPage {
        guard (1...1000).contains(query.limit) else {
            // (Checked before by ``SQLiteRunHistory/runs(_:)``, which throws ``RunQueryError``.)
            throw SQLiteHistoryError(.invalidArgument, path: connection.path, message: "limit must be 1…1000, got \(query.limit)")
        }
        var cursor: (startedAt: Int64, runID: String)?
        if let text = query.cursor {
            guard let parsed = Self.parseCursor(text) else {
                throw SQLiteHistoryError(
                    .invalidArgument, path: connection.path, message: "'\(text)' is not a cursor this history handed out")
            }
            cursor = parsed
        }
        let status: SQLiteHistorySchema.StatusFilter? = query.status.map { $0 == .completed ? .completed : .notCompleted }
        let sql = SQLiteHistorySchema.listRuns(
            status: status, blueprint: query.blueprintID != nil, since: query.since != nil, cursor: cursor != nil)
        let statement = try connection.statement(sql)
        defer { statement.reset() }
        statement.bind(1, query.status?.rawValue)
        statement.bind(2, query.blueprintID)
        statement.bind(3, query.since)
        statement.bind(4, cursor?.startedAt)
        statement.bind(5, cursor?.runID)
        statement.bind(6, query.limit + 1)
        var runs: [RunSummary] = []
        while try statement.step() {
            runs.append(try summary(statement))
        }
        var next: String?
        if runs.count > query.limit {
            runs.removeLast()
            if let last = runs.last { next = Self.cursor(last) }
        }
        return RunPage(runs: runs, nextCursor: next)
    }

    func run(_ runID: String) throws(SQLiteHistoryError) -> RunSummary? {
        let statement = try connection.statement(SQLiteHistorySchema.selectRun)
        defer { statement.reset() }
        statement.bind(1, runID)
        return try statement.step() ? try summary(statement) : nil
    }

    func events(of runID: String) throws(SQLiteHistoryError) -> [RunHistoryEvent] {
        // The cap's cut as the writer applied it: chunks straddling it keep events below it. (A
        // reader does not know the recording store's cap: it reads every event the file holds.)
        let dropThrough = readOnly ? 0 : try lastSequence(of: runID) &- options.maximumEventsPerRun
        var events: [RunHistoryEvent] = []
        // The events the run's row keeps (its first), then its chunks.
        if hasInlineEvents {
            let inline = try connection.statement(SQLiteHistorySchema.selectInlineEvents)
            defer { inline.reset() }
            inline.bind(1, runID)
            if try inline.step() { try read(inline, after: dropThrough, of: runID, into: &events) }
        }
        let statement = try connection.statement(SQLiteHistorySchema.selectChunks)
        defer { statement.reset() }
        statement.bind(1, runID)
        while try statement.step() { try read(statement, after: dropThrough, of: runID, into: &events) }
        // Chunks in order of their last event; a batch written again (the same events) replaced
        // its chunk, but one that overlaps an older chunk (or the row's events) repeats events:
        // the later one wins.
        var ordered = true
        for i in events.indices.dropFirst() where events[i].sequence <= events[i - 1].sequence {
            ordered = false
            break
        }
        guard !ordered else { return events }
        var latest: [Int: RunHistoryEvent] = [:]
        for event in events { latest[event.sequence] = event }
        return latest.values.sorted { $0.sequence < $1.sequence }
    }

    /// Appends the events above `dropThrough` of the row's first column (packed or text).
    private func read(
        _ row: SQLiteStatement, after dropThrough: Int, of runID: String, into events: inout [RunHistoryEvent]
    ) throws(SQLiteHistoryError) {
        do {
            if row.isBlob(0) {
                try SQLiteEventUnpacker.read(row.bytes(0), after: dropThrough, into: &events)
            } else {
                try SQLiteTextEvents.read(row.string(0) ?? "", after: dropThrough, into: &events)
            }
        } catch {
            throw SQLiteHistoryError(
                .notADatabase, path: connection.path,
                message: "event \(error.sequence.map(String.init) ?? "?") of run '\(runID)' is unreadable: \(error)")
        }
    }

    private func summary(_ row: SQLiteStatement) throws(SQLiteHistoryError) -> RunSummary {
        let runID = row.string(0) ?? ""
        guard let status = row.string(3).flatMap(RunHistoryStatus.init(rawValue:)) else {
            throw SQLiteHistoryError(
                .notADatabase, path: connection.path, message: "run '\(runID)' has an unknown status '\(row.string(3) ?? "")'")
        }
        let location: SourceLocation?
        if let text = row.string(10) {
            do {
                location = try SQLiteEventCoding.location(try JSONText.parse(text))
            } catch {
                throw SQLiteHistoryError(
                    .notADatabase, path: connection.path, message: "the error location of run '\(runID)' is unreadable: \(error)")
            }
        } else {
            location = nil
        }
        return RunSummary(
            runID: runID, blueprintID: row.string(1) ?? "", blueprintVersion: row.string(2), status: status,
            startedAt: row.int64(4) ?? 0, endedAt: row.int64(5), parentRunID: row.string(6), parentNodeID: row.string(7),
            failedNodeID: row.string(8), error: row.string(9), errorLocation: location,
            redriveCount: Int(row.int64(11) ?? 0))
    }

    /// `<startedAt>:<runID>` of the last run of a page.
    static func cursor(_ run: RunSummary) -> String { "\(run.startedAt):\(run.runID)" }

    static func parseCursor(_ text: String) -> (startedAt: Int64, runID: String)? {
        guard let colon = text.firstIndex(of: ":"), let startedAt = Int64(text[..<colon]) else { return nil }
        let runID = String(text[text.index(after: colon)...])
        return runID.isEmpty ? nil : (startedAt, runID)
    }

    static func wallClockMilliseconds() -> Int64 {
        Int64((Date().timeIntervalSince1970 * 1000).rounded())
    }
}

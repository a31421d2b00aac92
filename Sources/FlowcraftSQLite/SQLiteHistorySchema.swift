/// The run history's tables, created on first open. `PRAGMA user_version` holds ``version``; a file
/// with a higher version was written by a newer Flowcraft and is refused.
enum SQLiteHistorySchema {
    static let version = 5

    /// How long the writing must pause before the store checkpoints the write-ahead log.
    static let checkpointPause: Duration = .milliseconds(100)
    /// Log pages at which SQLite checkpoints by itself (writing that never pauses): 10 000 pages
    /// of 4 KB. At SQLite's default of 1 000, checkpoints (each with its `fsync`) took about 12 % of
    /// the store's CPU on a burst of short runs.
    static let checkpointPagesWithoutPause: Int32 = 10_000
    /// The page size of a new file: SQLite's largest, 64 KB. The history is written in large
    /// appends (a long run's events go in chunks of several KB, a window of short runs' rows at
    /// the right end of their tables), and each page a transaction changes is one frame of the
    /// write-ahead log, written with its own system calls: with 4 KB pages, `pwrite` took about
    /// half of the store's CPU on a 100 000-node fan-out and a chunk spilled into overflow pages.
    /// With 64 KB pages the store's CPU per event fell by about a fifth there (`flowcraft-benchmark
    /// history-store`).
    static let pageBytes = 65_536
    /// Bytes of the log file kept after a checkpoint (SQLite cuts it back to this).
    static let logBytesKept = 8 * 1024 * 1024

    /// `runs`: one row per run (subflow child runs included), keyed by run id, listed newest first
    /// through the indexes by time, blueprint and status; `updated_at` (the store's wall clock
    /// at the last write) drives retention. `event_chunks`: a run's events, one row per written batch
    /// (at most ``maximumEventsPerChunk`` events), packed into a BLOB (``SQLitePackedEvents``,
    /// version 3 on), or, in a file version 2 wrote, as lines `sequence TAB time TAB kind TAB body LF`
    /// (``SQLiteTextEvents``; the column's TEXT affinity keeps a BLOB a BLOB). One row per batch, not
    /// per event, and few bytes per event keep the history's cost per node execution small.
    ///
    /// The indexes are ascending (a page is listed newest first by reading them backwards): a new
    /// run's entries then go at their index's right end, which SQLite appends to without splitting
    /// pages in half (version 2's descending indexes put them at the left end).
    ///
    /// What a short run costs the store is mostly its B-tree insertions and statements, so version
    /// 4 makes fewer: a run's first batch, when it fits a chunk (a short run's whole history), is
    /// kept in the run's own row (`runs.events`, its last sequence in `events_last_sequence`)
    /// instead of a row of `event_chunks`; `event_chunks` is keyed by run and sequence itself
    /// (`WITHOUT ROWID`: one B-tree, where version 3 had a rowid table and an index beside it); and
    /// the index by status holds only runs that did not complete (the few an operator looks for:
    /// failed, waiting, running), so a listing of completed runs reads the index by time (or
    /// blueprint) and skips the others. A completed 3-node run is one statement and 3 insertions,
    /// where version 3 made two statements and 6. Version 5 has the same tables; its rows are packed
    /// in format 2 (``SQLitePackedEvents``: a node's own output write without its key), which an
    /// earlier Flowcraft cannot read, hence the version (a file of version 4 is taken on as it is).
    /// A new file has pages of ``pageBytes``.
    static let create = """
        CREATE TABLE IF NOT EXISTS runs (\(runColumns)) WITHOUT ROWID;
        \(runIndexes)
        \(createChunks)
        """

    static let runColumns = """
        run_id TEXT NOT NULL PRIMARY KEY,
            blueprint_id TEXT NOT NULL,
            blueprint_version TEXT,
            status TEXT NOT NULL,
            started_at INTEGER NOT NULL,
            ended_at INTEGER,
            parent_run_id TEXT,
            parent_node_id TEXT,
            failed_node_id TEXT,
            error TEXT,
            error_location TEXT,
            redrive_count INTEGER NOT NULL DEFAULT 0,
            last_sequence INTEGER NOT NULL DEFAULT 0,
            updated_at INTEGER NOT NULL,
            events BLOB,
            events_last_sequence INTEGER
        """

    /// Version 2 to 4: the same tables; the rows written from then on are packed (the text rows
    /// stay readable; an older Flowcraft could not read the packed ones, hence version 3), the
    /// descending indexes are built again ascending, and `event_chunks` is rebuilt as version 4's.
    static let migrateFromVersion2 = """
        DROP INDEX IF EXISTS runs_by_time;
        DROP INDEX IF EXISTS runs_by_status;
        DROP INDEX IF EXISTS runs_by_blueprint;
        \(addInlineEvents)
        \(runIndexes)
        \(rekeyChunks)
        """

    /// Version 2 or 3 to 4: the run's own row gets room for its first events.
    static let addInlineEvents = """
        ALTER TABLE runs ADD COLUMN events BLOB;
        ALTER TABLE runs ADD COLUMN events_last_sequence INTEGER;
        """

    /// Version 3 to 4: the index by status rebuilt partial, `event_chunks` rebuilt keyed by run and
    /// sequence (the same rows).
    static let migrateFromVersion3 = """
        \(addInlineEvents)
        DROP INDEX IF EXISTS runs_by_status;
        \(runIndexes)
        \(rekeyChunks)
        """

    /// `event_chunks` of version 2 or 3 (a rowid table with a unique index) to version 4's.
    static let rekeyChunks = """
        ALTER TABLE event_chunks RENAME TO event_chunks_v3;
        DROP INDEX IF EXISTS event_chunks_by_run;
        \(createChunks)
        INSERT INTO event_chunks (run_id, last_sequence, first_sequence, events)
            SELECT run_id, last_sequence, first_sequence, events FROM event_chunks_v3;
        DROP TABLE event_chunks_v3;
        """

    static let runIndexes = """
        CREATE INDEX IF NOT EXISTS runs_by_time ON runs (started_at, run_id);
        CREATE INDEX IF NOT EXISTS runs_by_status ON runs (status, started_at, run_id) WHERE \(notCompletedCondition);
        CREATE INDEX IF NOT EXISTS runs_by_blueprint ON runs (blueprint_id, started_at, run_id);
        """

    static let createChunks = """
        CREATE TABLE IF NOT EXISTS event_chunks (
            run_id TEXT NOT NULL,
            last_sequence INTEGER NOT NULL,
            first_sequence INTEGER NOT NULL,
            events TEXT NOT NULL,
            PRIMARY KEY (run_id, last_sequence)
        ) WITHOUT ROWID;
        """

    /// The partial status index's condition; a listing by a status other than completed repeats it
    /// word for word (SQLite uses a partial index only for a query whose terms contain its condition).
    static let notCompletedCondition = "status <> 'completed'"

    /// Events per `event_chunks` row at most (a larger batch is split), so that the cap drops old
    /// events in rows of this size: a run stores at most this many events past its cap, and reads
    /// return exactly the capped ones.
    static let maximumEventsPerChunk = 256

    /// Version 1 (a row per event in `events`; `runs` a rowid table with an index by update time)
    /// to 4, in one transaction: the same runs, each event a chunk of one (in the text form).
    static let migrateFromVersion1 = """
        CREATE TABLE runs_v2 (\(runColumns)) WITHOUT ROWID;
        INSERT INTO runs_v2 (\(summaryColumns), last_sequence, updated_at)
            SELECT \(summaryColumns), last_sequence, updated_at FROM runs;
        DROP TABLE runs;
        ALTER TABLE runs_v2 RENAME TO runs;
        \(runIndexes)
        \(createChunks)
        INSERT INTO event_chunks (run_id, last_sequence, first_sequence, events)
            SELECT run_id, sequence, sequence, sequence || char(9) || time || char(9) || kind || char(9) || body || char(10)
            FROM events;
        DROP TABLE events;
        """

    static let summaryColumns = """
        run_id, blueprint_id, blueprint_version, status, started_at, ended_at, parent_run_id, parent_node_id,
        failed_node_id, error, error_location, redrive_count
        """

    /// The summary of a batch replaces the stored one unless the store already has a later event of
    /// the run (a batch of a paused run's first process arriving after its resumer's); ?15 and ?16
    /// are the run's first events and their last sequence when the batch keeps them in the row
    /// (`NULL` otherwise: the row keeps what it has). A batch whose update this skips writes its
    /// events as a chunk instead (the writer checks the changes).
    static let upsertRun = """
        INSERT INTO runs (\(summaryColumns), last_sequence, updated_at, events, events_last_sequence)
        VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16)
        ON CONFLICT (run_id) DO UPDATE SET
            blueprint_id = excluded.blueprint_id, blueprint_version = excluded.blueprint_version,
            status = excluded.status, started_at = excluded.started_at, ended_at = excluded.ended_at,
            parent_run_id = excluded.parent_run_id, parent_node_id = excluded.parent_node_id,
            failed_node_id = excluded.failed_node_id, error = excluded.error,
            error_location = excluded.error_location, redrive_count = excluded.redrive_count,
            last_sequence = excluded.last_sequence, updated_at = excluded.updated_at,
            events = coalesce(excluded.events, runs.events),
            events_last_sequence = CASE WHEN excluded.events IS NULL THEN runs.events_last_sequence
                ELSE excluded.events_last_sequence END
        WHERE excluded.last_sequence >= runs.last_sequence
        """

    static let lastSequence = "SELECT last_sequence FROM runs WHERE run_id = ?1"

    /// A batch's events (or a part of them): replaces a chunk of the run ending at the same sequence.
    static let insertChunk = """
        INSERT OR REPLACE INTO event_chunks (run_id, last_sequence, first_sequence, events) VALUES (?1, ?2, ?3, ?4)
        """

    /// The chunks wholly at or below the cap's cut.
    static let trimChunks = "DELETE FROM event_chunks WHERE run_id = ?1 AND last_sequence <= ?2"

    static let selectRun = "SELECT \(summaryColumns) FROM runs WHERE run_id = ?1"

    static let selectChunks = "SELECT events FROM event_chunks WHERE run_id = ?1 ORDER BY last_sequence"

    /// The events a run's own row keeps (its first ones), read before its chunks.
    static let selectInlineEvents = "SELECT events FROM runs WHERE run_id = ?1 AND events IS NOT NULL"

    /// The run's own events, once the cap's cut (?2) is at or past the last of them.
    static let trimInlineEvents = """
        UPDATE runs SET events = NULL, events_last_sequence = NULL
        WHERE run_id = ?1 AND events_last_sequence <= ?2
        """

    /// Retention: runs last written before ?1. Their start is before it too (a run's start time is
    /// the clock of the engine that ran it), so the index by start time finds them without a scan.
    static let expiredRuns = "started_at < ?1 AND updated_at < ?1"

    static let pruneEvents = "DELETE FROM event_chunks WHERE run_id IN (SELECT run_id FROM runs WHERE \(expiredRuns))"

    static let pruneRuns = "DELETE FROM runs WHERE \(expiredRuns)"

    /// How a listing filters by status: the index by status holds the runs that did not complete.
    enum StatusFilter: CaseIterable {
        case completed
        case notCompleted
    }

    /// The listing query for a combination of filters (each combination is its own prepared
    /// statement, so SQLite picks the index that fits): parameters ?1 status, ?2 blueprint,
    /// ?3 since, ?4/?5 the cursor's start time and run id, ?6 the row limit.
    static func listRuns(status: StatusFilter?, blueprint: Bool, since: Bool, cursor: Bool) -> String {
        var conditions: [String] = []
        switch status {
        case .completed?: conditions.append("status = ?1")
        case .notCompleted?: conditions.append("status = ?1 AND \(notCompletedCondition)")
        case nil: break
        }
        if blueprint { conditions.append("blueprint_id = ?2") }
        if since { conditions.append("started_at >= ?3") }
        if cursor { conditions.append("(started_at, run_id) < (?4, ?5)") }
        let filter = conditions.isEmpty ? "" : " WHERE " + conditions.joined(separator: " AND ")
        return "SELECT \(summaryColumns) FROM runs\(filter) ORDER BY started_at DESC, run_id DESC LIMIT ?6"
    }
}

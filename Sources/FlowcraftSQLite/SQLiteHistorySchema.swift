/// The run history's tables, created on first open. `PRAGMA user_version` holds ``version``; a file
/// with a higher version was written by a newer Flowcraft and is refused.
enum SQLiteHistorySchema {
    static let version = 1

    /// `runs`: one row per run (subflow child runs included), listed newest first through the three
    /// indexes by time, status and blueprint; `updated_at` (the store's wall clock at the last write)
    /// drives retention. `events`: a run's events by sequence, the event's kind and its fields as a JSON
    /// object (`SQLiteEventCoding`).
    static let create = """
        CREATE TABLE IF NOT EXISTS runs (
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
            updated_at INTEGER NOT NULL
        );
        CREATE INDEX IF NOT EXISTS runs_by_time ON runs (started_at DESC, run_id DESC);
        CREATE INDEX IF NOT EXISTS runs_by_status ON runs (status, started_at DESC, run_id DESC);
        CREATE INDEX IF NOT EXISTS runs_by_blueprint ON runs (blueprint_id, started_at DESC, run_id DESC);
        CREATE INDEX IF NOT EXISTS runs_by_update ON runs (updated_at);
        CREATE TABLE IF NOT EXISTS events (
            run_id TEXT NOT NULL,
            sequence INTEGER NOT NULL,
            time INTEGER NOT NULL,
            kind TEXT NOT NULL,
            body TEXT NOT NULL,
            PRIMARY KEY (run_id, sequence)
        ) WITHOUT ROWID;
        """

    static let summaryColumns = """
        run_id, blueprint_id, blueprint_version, status, started_at, ended_at, parent_run_id, parent_node_id,
        failed_node_id, error, error_location, redrive_count
        """

    /// The summary of a batch replaces the stored one unless the store already has a later event of
    /// the run (a batch of a paused run's first process arriving after its resumer's).
    static let upsertRun = """
        INSERT INTO runs (\(summaryColumns), last_sequence, updated_at)
        VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14)
        ON CONFLICT (run_id) DO UPDATE SET
            blueprint_id = excluded.blueprint_id, blueprint_version = excluded.blueprint_version,
            status = excluded.status, started_at = excluded.started_at, ended_at = excluded.ended_at,
            parent_run_id = excluded.parent_run_id, parent_node_id = excluded.parent_node_id,
            failed_node_id = excluded.failed_node_id, error = excluded.error,
            error_location = excluded.error_location, redrive_count = excluded.redrive_count,
            last_sequence = excluded.last_sequence, updated_at = excluded.updated_at
        WHERE excluded.last_sequence >= runs.last_sequence
        """

    static let lastSequence = "SELECT last_sequence FROM runs WHERE run_id = ?1"

    static let insertEvent = "INSERT OR REPLACE INTO events (run_id, sequence, time, kind, body) VALUES (?1, ?2, ?3, ?4, ?5)"

    static let trimEvents = "DELETE FROM events WHERE run_id = ?1 AND sequence <= ?2"

    static let selectRun = "SELECT \(summaryColumns) FROM runs WHERE run_id = ?1"

    static let selectEvents = "SELECT sequence, time, kind, body FROM events WHERE run_id = ?1 ORDER BY sequence"

    static let pruneEvents = "DELETE FROM events WHERE run_id IN (SELECT run_id FROM runs WHERE updated_at < ?1)"

    static let pruneRuns = "DELETE FROM runs WHERE updated_at < ?1"

    /// The listing query for a combination of filters (each combination is its own prepared
    /// statement, so SQLite picks the index that fits): parameters ?1 status, ?2 blueprint,
    /// ?3 since, ?4/?5 the cursor's start time and run id, ?6 the row limit.
    static func listRuns(status: Bool, blueprint: Bool, since: Bool, cursor: Bool) -> String {
        var conditions: [String] = []
        if status { conditions.append("status = ?1") }
        if blueprint { conditions.append("blueprint_id = ?2") }
        if since { conditions.append("started_at >= ?3") }
        if cursor { conditions.append("(started_at, run_id) < (?4, ?5)") }
        let filter = conditions.isEmpty ? "" : " WHERE " + conditions.joined(separator: " AND ")
        return "SELECT \(summaryColumns) FROM runs\(filter) ORDER BY started_at DESC, run_id DESC LIMIT ?6"
    }
}

import Flowcraft
@testable import FlowcraftSQLite
import Foundation
import Testing

/// The file's layout: events stored a batch per row, overlapping batches, the cap's cut inside a
/// row, and files of the first layout (a row per event), the second (text rows, descending
/// indexes) and the third (a rowid chunk table, a full index by status) converted on open.
@Suite("SQLite run history file format")
struct SQLiteHistoryFileFormatTests {
    static func paused(_ sequence: Int, _ node: String) -> RunHistoryEvent {
        RunHistoryEvent(sequence: sequence, time: Int64(sequence), kind: .paused(nodes: [node]))
    }

    @Test("a batch overlapping an earlier one: each event once, the later batch's version")
    func overlappingBatchesKeepEachEventOnce() async throws {
        let dir = try TemporaryDirectory()
        defer { dir.remove() }
        let history = try await SQLiteRunHistory(path: dir.path("h.sqlite"))
        let summary = RunSummary(runID: "r", blueprintID: "b", status: .running, startedAt: 5)
        try await history.record(summary, events: (1...3).map { Self.paused($0, "old") })
        try await history.record(summary, events: (2...5).map { Self.paused($0, "new") })
        let events = try await history.events(of: "r")
        #expect(events == [Self.paused(1, "old")] + (2...5).map { Self.paused($0, "new") })
    }

    @Test("the cap cuts inside a stored batch: exactly the newest events are read")
    func capInsideABatch() async throws {
        let dir = try TemporaryDirectory()
        defer { dir.remove() }
        let history = try await SQLiteRunHistory(
            path: dir.path("h.sqlite"), options: SQLiteRunHistory.Options(maximumEventsPerRun: 7))
        let summary = RunSummary(runID: "r", blueprintID: "b", status: .running, startedAt: 5)
        try await history.record(summary, events: (1...5).map { Self.paused($0, "a") })
        try await history.record(summary, events: (6...10).map { Self.paused($0, "b") })
        #expect(try await history.events(of: "r").map(\.sequence) == Array(4...10))
        // Past the first batch entirely: its row goes.
        try await history.record(summary, events: (11...13).map { Self.paused($0, "c") })
        #expect(try await history.events(of: "r").map(\.sequence) == Array(7...13))
    }

    @Test("a batch larger than a row is split into rows and read back whole, in order")
    func largeBatchSpansRows() async throws {
        let dir = try TemporaryDirectory()
        defer { dir.remove() }
        let history = try await SQLiteRunHistory(path: dir.path("h.sqlite"))
        let summary = RunSummary(runID: "r", blueprintID: "b", status: .running, startedAt: 5)
        let count = SQLiteHistorySchema.maximumEventsPerChunk * 2 + 3
        let events = (1...count).map { Self.paused($0, "n\($0)") }
        try await history.record(summary, events: events)
        #expect(try await history.events(of: "r") == events)
    }

    /// How `path` stores run `runID`'s events: whether its row keeps some, and its chunk rows.
    static func storage(_ path: String, _ runID: String) throws -> (inline: Bool, chunks: Int) {
        let connection = try SQLiteConnection(path: path)
        let row = try connection.statement("SELECT events IS NOT NULL FROM runs WHERE run_id = ?1")
        row.bind(1, runID)
        let inline = try row.step() && row.int64(0) == 1
        let chunks = try connection.statement("SELECT count(*) FROM event_chunks WHERE run_id = ?1")
        chunks.bind(1, runID)
        _ = try chunks.step()
        return (inline, Int(chunks.int64(0) ?? 0))
    }

    @Test("a run's first batch, when it fits a chunk, is kept in the run's own row; later batches are chunks")
    func firstBatchIsKeptInTheRunsRow() async throws {
        let dir = try TemporaryDirectory()
        defer { dir.remove() }
        let path = dir.path("h.sqlite")
        let history = try await SQLiteRunHistory(path: path)
        let summary = RunSummary(runID: "r", blueprintID: "b", status: .running, startedAt: 5)
        try await history.record(summary, events: (1...3).map { Self.paused($0, "a") })
        #expect(try Self.storage(path, "r") == (true, 0))
        try await history.record(summary, events: (4...6).map { Self.paused($0, "b") })
        #expect(try Self.storage(path, "r") == (true, 1))
        #expect(try await history.events(of: "r") == (1...3).map { Self.paused($0, "a") } + (4...6).map { Self.paused($0, "b") })
        // A first batch larger than a chunk is all chunks.
        let count = SQLiteHistorySchema.maximumEventsPerChunk + 1
        let long = (1...count).map { Self.paused($0, "n") }
        try await history.record(RunSummary(runID: "long", blueprintID: "b", status: .running, startedAt: 6), events: long)
        #expect(try Self.storage(path, "long") == (false, 2))
        #expect(try await history.events(of: "long") == long)
        // Read by a reader too.
        let reader = try await SQLiteRunHistory(readingFrom: path)
        #expect(try await reader.events(of: "r").map(\.sequence) == Array(1...6))
    }

    @Test("a run's first batch arriving after a later one of the run is written as a chunk, not dropped")
    func lateFirstBatchIsAChunk() async throws {
        let dir = try TemporaryDirectory()
        defer { dir.remove() }
        let path = dir.path("h.sqlite")
        let history = try await SQLiteRunHistory(path: path)
        // A resumed run's batch (its resumer's) is stored before the run's first batch arrives.
        let resumed = RunSummary(runID: "r", blueprintID: "b", status: .completed, startedAt: 5, endedAt: 9)
        try await history.record(resumed, events: (4...5).map { Self.paused($0, "later") })
        let first = RunSummary(runID: "r", blueprintID: "b", status: .waiting, startedAt: 5)
        try await history.record(first, events: (1...3).map { Self.paused($0, "first") })
        #expect(try Self.storage(path, "r") == (false, 2))
        #expect(try await history.events(of: "r").map(\.sequence) == Array(1...5))
        // The later summary stands.
        #expect(try await history.run("r")?.status == .completed)
    }

    @Test("the cap cutting past the events a run's row keeps drops them from the row")
    func capDropsTheRowsEvents() async throws {
        let dir = try TemporaryDirectory()
        defer { dir.remove() }
        let path = dir.path("h.sqlite")
        let history = try await SQLiteRunHistory(path: path, options: SQLiteRunHistory.Options(maximumEventsPerRun: 4))
        let summary = RunSummary(runID: "r", blueprintID: "b", status: .running, startedAt: 5)
        try await history.record(summary, events: (1...3).map { Self.paused($0, "a") })
        try await history.record(summary, events: (4...6).map { Self.paused($0, "b") })
        // Cut at 2: the row's events (1...3) straddle it and stay; reads start at 3.
        #expect(try Self.storage(path, "r") == (true, 1))
        #expect(try await history.events(of: "r").map(\.sequence) == Array(3...6))
        try await history.record(summary, events: (7...9).map { Self.paused($0, "c") })
        // Cut at 5: the row's events go, and the chunk 4...6 stays (6 is kept).
        #expect(try Self.storage(path, "r") == (false, 2))
        #expect(try await history.events(of: "r").map(\.sequence) == Array(6...9))
    }

    @Test("a run id used again: the new run's first batch replaces the events the row kept")
    func reusedRunIDReplacesTheRowsEvents() async throws {
        let dir = try TemporaryDirectory()
        defer { dir.remove() }
        let path = dir.path("h.sqlite")
        let history = try await SQLiteRunHistory(path: path)
        let summary = RunSummary(runID: "r", blueprintID: "b", status: .completed, startedAt: 5)
        try await history.record(summary, events: (1...3).map { Self.paused($0, "old") })
        try await history.record(summary, events: (1...3).map { Self.paused($0, "new") })
        #expect(try await history.events(of: "r") == (1...3).map { Self.paused($0, "new") })
        #expect(try Self.storage(path, "r") == (true, 0))
    }

    /// The first layout's tables and rows, written as that version of Flowcraft wrote them.
    static let versionOne = """
        CREATE TABLE runs (
            run_id TEXT NOT NULL PRIMARY KEY, blueprint_id TEXT NOT NULL, blueprint_version TEXT,
            status TEXT NOT NULL, started_at INTEGER NOT NULL, ended_at INTEGER, parent_run_id TEXT,
            parent_node_id TEXT, failed_node_id TEXT, error TEXT, error_location TEXT,
            redrive_count INTEGER NOT NULL DEFAULT 0, last_sequence INTEGER NOT NULL DEFAULT 0,
            updated_at INTEGER NOT NULL);
        CREATE INDEX runs_by_time ON runs (started_at DESC, run_id DESC);
        CREATE INDEX runs_by_status ON runs (status, started_at DESC, run_id DESC);
        CREATE INDEX runs_by_blueprint ON runs (blueprint_id, started_at DESC, run_id DESC);
        CREATE INDEX runs_by_update ON runs (updated_at);
        CREATE TABLE events (
            run_id TEXT NOT NULL, sequence INTEGER NOT NULL, time INTEGER NOT NULL, kind TEXT NOT NULL,
            body TEXT NOT NULL, PRIMARY KEY (run_id, sequence)) WITHOUT ROWID;
        PRAGMA user_version = 1;
        """

    @Test("a file of the first layout (a row per event) is converted on open: the same runs and events")
    func versionOneFileIsConverted() async throws {
        let dir = try TemporaryDirectory()
        defer { dir.remove() }
        let path = dir.path("v1.sqlite")
        let events: [RunHistoryEvent] = [
            RunHistoryEvent(sequence: 1, time: 10, kind: .runStarted(RunHistoryEvent.RunStart(blueprintID: "b", context: ["k": "v"]))),
            RunHistoryEvent(sequence: 2, time: 11, kind: .paused(nodes: ["w"])),
            RunHistoryEvent(sequence: 3, time: 12, kind: .runEnded(RunHistoryEvent.RunEnd(
                status: .failed, failedNodeID: "w", error: "boom\nline 2", errorLocation: nil))),
        ]
        do {
            let connection = try SQLiteConnection(path: path)
            try connection.execute(Self.versionOne)
            let now = SQLiteHistoryWriter.wallClockMilliseconds()
            try connection.execute("""
                INSERT INTO runs (run_id, blueprint_id, status, started_at, ended_at, failed_node_id, error, last_sequence, updated_at)
                VALUES ('r1', 'b', 'failed', 10, 12, 'w', 'boom', 3, \(now))
                """)
            for event in events {
                let insert = try connection.statement("INSERT INTO events VALUES (?1, ?2, ?3, ?4, ?5)")
                insert.bind(1, "r1")
                insert.bind(2, event.sequence)
                insert.bind(3, event.time)
                insert.bind(4, SQLiteEventCoding.kindName(event.kind))
                insert.bind(5, SQLiteEventCoding.body(event.kind))
                try insert.run()
            }
        }
        let history = try await SQLiteRunHistory(path: path)
        let run = try #require(try await history.run("r1"))
        #expect(run.status == .failed && run.failedNodeID == "w" && run.startedAt == 10)
        #expect(try await history.events(of: "r1") == events)
        #expect(try await history.runs(RunQuery(status: .failed)).runs.map(\.runID) == ["r1"])
        // Written on after the conversion, and opened again: the current version, nothing converted twice.
        try await history.record(
            RunSummary(runID: "r2", blueprintID: "b", status: .running, startedAt: 20), events: [Self.paused(1, "x")])
        let reopened = try await SQLiteRunHistory(path: path)
        #expect(try await reopened.events(of: "r1") == events)
        #expect(try await reopened.events(of: "r2") == [Self.paused(1, "x")])
    }

    /// A run's start and its pause on `w`: the events the version 2 and 3 files are written with.
    static let startedAndPaused: [RunHistoryEvent] = [
        RunHistoryEvent(sequence: 1, time: 10, kind: .runStarted(RunHistoryEvent.RunStart(blueprintID: "b", context: ["k": "v"]))),
        RunHistoryEvent(sequence: 2, time: 11, kind: .paused(nodes: ["w"])),
    ]

    /// The `runs` table of versions 2 and 3 (version 4 added the columns for a run's own events).
    static let versionTwoRuns = """
        CREATE TABLE runs (
            run_id TEXT NOT NULL PRIMARY KEY, blueprint_id TEXT NOT NULL, blueprint_version TEXT,
            status TEXT NOT NULL, started_at INTEGER NOT NULL, ended_at INTEGER, parent_run_id TEXT,
            parent_node_id TEXT, failed_node_id TEXT, error TEXT, error_location TEXT,
            redrive_count INTEGER NOT NULL DEFAULT 0, last_sequence INTEGER NOT NULL DEFAULT 0,
            updated_at INTEGER NOT NULL) WITHOUT ROWID;
        """

    /// The `event_chunks` table of versions 2 and 3: a rowid table with a unique index beside it.
    static let versionTwoChunks = """
        CREATE TABLE event_chunks (
            run_id TEXT NOT NULL, last_sequence INTEGER NOT NULL, first_sequence INTEGER NOT NULL,
            events TEXT NOT NULL);
        CREATE UNIQUE INDEX event_chunks_by_run ON event_chunks (run_id, last_sequence);
        """

    /// The second layout as that version of Flowcraft wrote it: descending indexes, text rows.
    static let versionTwo = """
        \(versionTwoRuns)
        CREATE INDEX runs_by_time ON runs (started_at DESC, run_id DESC);
        CREATE INDEX runs_by_status ON runs (status, started_at DESC, run_id DESC);
        CREATE INDEX runs_by_blueprint ON runs (blueprint_id, started_at DESC, run_id DESC);
        \(versionTwoChunks)
        PRAGMA user_version = 2;
        """

    @Test("a file of the second layout (text rows) is converted on open: its rows read as before, new rows packed")
    func versionTwoFileIsConverted() async throws {
        let dir = try TemporaryDirectory()
        defer { dir.remove() }
        let path = dir.path("v2.sqlite")
        let events = Self.startedAndPaused
        do {
            let connection = try SQLiteConnection(path: path)
            try connection.execute(Self.versionTwo)
            let now = SQLiteHistoryWriter.wallClockMilliseconds()
            for (n, runID) in ["r1", "r2"].enumerated() {
                try connection.execute("""
                    INSERT INTO runs (run_id, blueprint_id, status, started_at, last_sequence, updated_at)
                    VALUES ('\(runID)', 'b', 'waiting', \(10 + n), 2, \(now))
                    """)
            }
            let text = events.map { "\($0.sequence)\t\($0.time)\t\(SQLiteEventCoding.kindName($0.kind))\t\(SQLiteEventCoding.body($0.kind))\n" }
            let insert = try connection.statement("INSERT INTO event_chunks VALUES ('r1', 2, 1, ?1)")
            insert.bind(1, text.joined())
            try insert.run()
        }
        let history = try await SQLiteRunHistory(path: path)
        #expect(try await history.events(of: "r1") == events)
        // The run goes on: its new batch is packed beside the text row, and both read in order.
        let resumed = RunHistoryEvent(sequence: 3, time: 12, kind: .resumed(nodeID: "w", action: "go"))
        try await history.record(
            RunSummary(runID: "r1", blueprintID: "b", status: .running, startedAt: 10), events: [resumed])
        #expect(try await history.events(of: "r1") == events + [resumed])
        #expect(try await history.runs(RunQuery()).runs.map(\.runID) == ["r2", "r1"])
        #expect(try await history.runs(RunQuery(status: .waiting)).runs.map(\.runID) == ["r2"])
        let connection = try SQLiteConnection(path: path)
        let kinds = try connection.statement("SELECT typeof(events) FROM event_chunks ORDER BY last_sequence")
        var storage: [String] = []
        while try kinds.step() { storage.append(kinds.string(0) ?? "") }
        #expect(storage == ["text", "blob"])
        // The indexes were built again ascending.
        let index = try connection.statement("SELECT sql FROM sqlite_master WHERE name = 'runs_by_time'")
        #expect(try index.step())
        #expect(index.string(0)?.contains("DESC") == false)
        let version = try connection.statement("PRAGMA user_version")
        #expect(try version.step())
        #expect(version.int64(0) == Int64(SQLiteHistorySchema.version))
    }

    /// The third layout as that version of Flowcraft wrote it: a rowid chunk table with a unique
    /// index beside it, an index by status over every run.
    static let versionThree = """
        \(versionTwoRuns)
        CREATE INDEX runs_by_time ON runs (started_at, run_id);
        CREATE INDEX runs_by_status ON runs (status, started_at, run_id);
        CREATE INDEX runs_by_blueprint ON runs (blueprint_id, started_at, run_id);
        \(versionTwoChunks)
        PRAGMA user_version = 3;
        """

    @Test("a file of the third layout is converted on open: the same runs, chunks and listings; chunks keyed by run, status index partial")
    func versionThreeFileIsConverted() async throws {
        let dir = try TemporaryDirectory()
        defer { dir.remove() }
        let path = dir.path("v3.sqlite")
        let first = Self.startedAndPaused
        let second = [RunHistoryEvent(sequence: 3, time: 12, kind: .resumed(nodeID: "w", action: "go"))]
        do {
            let connection = try SQLiteConnection(path: path)
            try connection.execute(Self.versionThree)
            let now = SQLiteHistoryWriter.wallClockMilliseconds()
            for (n, (runID, status)) in [("r1", "waiting"), ("r2", "completed"), ("r3", "failed")].enumerated() {
                try connection.execute("""
                    INSERT INTO runs (run_id, blueprint_id, status, started_at, last_sequence, updated_at)
                    VALUES ('\(runID)', 'b', '\(status)', \(10 + n), 3, \(now))
                    """)
            }
            // r1's events in two rows, packed as version 3 packed them.
            for events in [first, second] {
                var packer = SQLiteEventPacker()
                for event in events { packer.append(event) }
                let insert = try connection.statement("INSERT INTO event_chunks VALUES ('r1', ?1, ?2, ?3)")
                insert.bind(1, packer.lastSequence)
                insert.bind(2, packer.firstSequence)
                var bytes = packer.bytes
                bytes[0] = 1  // format 1 (public events pack as format 1 did but for this byte)
                insert.bind(3, blob: bytes)
                try insert.run()
            }
        }
        // A reader reads the file as it is (no row keeps events in version 3).
        let reader = try await SQLiteRunHistory(readingFrom: path)
        #expect(try await reader.events(of: "r1") == first + second)
        #expect(try await reader.runs(RunQuery(status: .waiting)).runs.map(\.runID) == ["r1"])
        let history = try await SQLiteRunHistory(path: path)
        #expect(try await history.events(of: "r1") == first + second)
        #expect(try await history.runs(RunQuery()).runs.map(\.runID) == ["r3", "r2", "r1"])
        #expect(try await history.runs(RunQuery(status: .completed)).runs.map(\.runID) == ["r2"])
        #expect(try await history.runs(RunQuery(status: .failed)).runs.map(\.runID) == ["r3"])
        #expect(try await history.runs(RunQuery(status: .waiting)).runs.map(\.runID) == ["r1"])
        // Written on after the conversion: a batch ending at a stored sequence replaces that row.
        let again = [RunHistoryEvent(sequence: 3, time: 13, kind: .resumed(nodeID: "w", action: "again"))]
        try await history.record(
            RunSummary(runID: "r1", blueprintID: "b", status: .running, startedAt: 10), events: again)
        #expect(try await history.events(of: "r1") == first + again)
        let connection = try SQLiteConnection(path: path)
        func sql(_ name: String) throws -> String? {
            let statement = try connection.statement("SELECT sql FROM sqlite_master WHERE name = ?1")
            statement.bind(1, name)
            return try statement.step() ? statement.string(0) : nil
        }
        #expect(try sql("event_chunks")?.contains("WITHOUT ROWID") == true)
        #expect(try sql("event_chunks_by_run") == nil)
        #expect(try sql("event_chunks_v3") == nil)
        #expect(try sql("runs_by_status")?.contains("WHERE status <> 'completed'") == true)
        let version = try connection.statement("PRAGMA user_version")
        #expect(try version.step())
        #expect(version.int64(0) == Int64(SQLiteHistorySchema.version))
    }

    @Test("a file of version 4 (rows packed in format 1) is read as it is and taken on: old rows read, new ones in format 2")
    func versionFourFileIsTakenOn() async throws {
        let dir = try TemporaryDirectory()
        defer { dir.remove() }
        let path = dir.path("v4.sqlite")
        let first = Self.startedAndPaused
        let node = RunHistoryEvent(
            sequence: 3, time: 12,
            kind: .nodeFinished(
                RunHistoryEvent.NodeExecution(
                    nodeID: "w", status: .completed, attempts: [RunHistoryEvent.Attempt(startedAt: 11, endedAt: 12)],
                    writes: ["_outputs.w": ["ok": true]])))
        do {
            let connection = try SQLiteConnection(path: path)
            try connection.execute(SQLiteHistorySchema.create + "\nPRAGMA user_version = 4;")
            var packer = SQLiteEventPacker()
            for event in first + [node] { packer.append(event) }
            var bytes = packer.bytes
            bytes[0] = 1
            let insert = try connection.statement("""
                INSERT INTO runs (run_id, blueprint_id, status, started_at, last_sequence, updated_at, events, events_last_sequence)
                VALUES ('r1', 'b', 'waiting', 10, 3, ?1, ?2, 3)
                """)
            insert.bind(1, SQLiteHistoryWriter.wallClockMilliseconds())
            insert.bind(2, blob: bytes)
            try insert.run()
        }
        let reader = try await SQLiteRunHistory(readingFrom: path)
        #expect(try await reader.events(of: "r1") == first + [node])
        let history = try await SQLiteRunHistory(path: path)
        #expect(try await history.events(of: "r1") == first + [node])
        let resumed = RunHistoryEvent(sequence: 4, time: 13, kind: .resumed(nodeID: "w", action: "go"))
        try await history.record(RunSummary(runID: "r1", blueprintID: "b", status: .running, startedAt: 10), events: [resumed])
        #expect(try await history.events(of: "r1") == first + [node, resumed])
        let connection = try SQLiteConnection(path: path)
        let version = try connection.statement("PRAGMA user_version")
        #expect(try version.step())
        #expect(version.int64(0) == 5 && SQLiteHistorySchema.version == 5)
        let formats = try connection.statement("SELECT substr(events, 1, 1) FROM event_chunks")
        var written: [[UInt8]] = []
        while try formats.step() { written.append(formats.bytes(0)) }
        #expect(written == [[SQLitePackedEvents.formatVersion]])
    }

    /// Every listing (each combination of filters and the cursor) reads an index in its order:
    /// newest first without sorting, however many runs the file holds.
    @Test("listings read an index backwards, no sort")
    func listingsUseAnIndexInOrder() async throws {
        let dir = try TemporaryDirectory()
        defer { dir.remove() }
        let path = dir.path("h.sqlite")
        _ = try await SQLiteRunHistory(path: path)
        let connection = try SQLiteConnection(path: path)
        let statuses: [SQLiteHistorySchema.StatusFilter?] = [nil] + SQLiteHistorySchema.StatusFilter.allCases
        for status in statuses {
            for mask in 0..<8 {
                let sql = SQLiteHistorySchema.listRuns(
                    status: status, blueprint: mask & 1 != 0, since: mask & 2 != 0, cursor: mask & 4 != 0)
                let plan = try connection.statement("EXPLAIN QUERY PLAN " + sql)
                var steps: [String] = []
                while try plan.step() { steps.append(plan.string(3) ?? "") }
                #expect(!steps.contains { $0.contains("TEMP B-TREE") }, "\(sql): \(steps)")
                #expect(steps.contains { $0.contains("USING INDEX") || $0.contains("USING COVERING INDEX") }, "\(sql): \(steps)")
                // The partial index by status serves the statuses it holds.
                if status == .notCompleted && mask & 1 == 0 {
                    #expect(steps.contains { $0.contains("runs_by_status") }, "\(sql): \(steps)")
                }
            }
        }
    }
}

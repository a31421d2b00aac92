import Flowcraft
import Foundation
import Testing

@testable import FlowcraftSQLite

/// `flowcraft runs/inspect --db FILE` read an app's history file as it is: they apply neither their
/// own retention nor their own cap, and do not convert it (the app's version can still open it).
@Suite("flowcraft history commands on a SQLite file", .enabled(if: FlowcraftExecutable.url != nil))
struct SQLiteHistoryCommandTests {
    static let day: Int64 = 86_400_000

    static func events(failed: Bool) -> [RunHistoryEvent] {
        [
            RunHistoryEvent(sequence: 1, time: 0, kind: .runStarted(RunHistoryEvent.RunStart(blueprintID: "bp", context: [:]))),
            RunHistoryEvent(
                sequence: 2, time: 1,
                kind: .nodeFinished(
                    RunHistoryEvent.NodeExecution(
                        nodeID: "charge", status: failed ? .failed : .completed,
                        attempts: [RunHistoryEvent.Attempt(startedAt: 0, endedAt: 1, error: failed ? "card declined" : nil)],
                        error: failed ? "card declined" : nil))),
            RunHistoryEvent(
                sequence: 3, time: 1,
                kind: .runEnded(
                    RunHistoryEvent.RunEnd(
                        status: failed ? .failed : .completed, failedNodeID: failed ? "charge" : nil,
                        error: failed ? "card declined" : nil))),
        ]
    }

    @Test func readingLeavesTheFileAsItIs() async throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("flowcraft-cli-db-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        let path = dir.appendingPathComponent("runs.sqlite").path
        let now = SQLiteHistoryWriter.wallClockMilliseconds()
        // The app keeps 30 days; one run was last written 10 days ago (the commands' default
        // retention, 7 days, would delete it).
        do {
            let app = try await SQLiteRunHistory(path: path, options: .init(retentionSeconds: 30 * 86_400))
            let old = RunSummary(
                runID: "old-run", blueprintID: "bp", status: .failed, startedAt: now - 10 * Self.day,
                endedAt: now - 10 * Self.day, failedNodeID: "charge", error: "card declined")
            try await app.record(old, events: Self.events(failed: true))
            let new = RunSummary(runID: "new-run", blueprintID: "bp", status: .completed, startedAt: now, endedAt: now)
            try await app.record(new, events: Self.events(failed: false))
        }
        let connection = try SQLiteConnection(path: path)
        try connection.execute("UPDATE runs SET updated_at = \(now - 10 * Self.day) WHERE run_id = 'old-run'")

        let runs = try await FlowcraftExecutable.run(["runs", "--db", path, "--json"])
        #expect(runs.status == 0, "\(runs.stderr)")
        #expect(runs.stdout.contains("\"old-run\"") && runs.stdout.contains("\"new-run\""), "\(runs.stdout)")
        let failed = try await FlowcraftExecutable.run(["runs", "--db", path, "--status", "failed", "--json"])
        #expect(failed.status == 0 && failed.stdout.contains("\"old-run\"") && !failed.stdout.contains("\"new-run\""))
        let inspect = try await FlowcraftExecutable.run(["inspect", "old-run", "--db", path, "--json"])
        #expect(inspect.status == 0, "\(inspect.stderr)")
        #expect(inspect.stdout.contains("card declined"))

        // Still there for the app, with its 30 days.
        let app = try await SQLiteRunHistory(path: path, options: .init(retentionSeconds: 30 * 86_400))
        #expect(try await app.run("old-run")?.status == .failed)
    }

    @Test func aVersionTwoFileStaysVersionTwo() async throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("flowcraft-cli-db-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        let path = dir.appendingPathComponent("runs.sqlite").path
        do {
            _ = try await SQLiteRunHistory(path: path)
            // Back to what version 2 had: its descending index and version number.
            let connection = try SQLiteConnection(path: path)
            try connection.execute("""
                DROP INDEX runs_by_time;
                CREATE INDEX runs_by_time ON runs (started_at DESC, run_id DESC);
                PRAGMA user_version = 2;
                """)
            try connection.execute("""
                INSERT INTO runs (run_id, blueprint_id, status, started_at, last_sequence, updated_at)
                VALUES ('v2-run', 'bp', 'completed', 5, 0, \(SQLiteHistoryWriter.wallClockMilliseconds()))
                """)
        }
        let runs = try await FlowcraftExecutable.run(["runs", "--db", path, "--json"])
        #expect(runs.status == 0 && runs.stdout.contains("\"v2-run\""), "\(runs.stderr)")
        let connection = try SQLiteConnection(path: path)
        let version = try connection.statement("PRAGMA user_version")
        #expect(try version.step())
        #expect(version.int64(0) == 2)
        // A missing file is named.
        let missing = try await FlowcraftExecutable.run(["runs", "--db", dir.appendingPathComponent("none.sqlite").path])
        #expect(missing.status == 1 && missing.stderr.contains("none.sqlite"))
    }
}

import Flowcraft
import Foundation
import Testing

@testable import FlowcraftSQLite

/// ``SQLiteRunHistory/init(readingFrom:)``: what `flowcraft runs/inspect --db` open. It writes
/// nothing, and reads a file an app is recording into.
@Suite("SQLite history opened for reading")
struct SQLiteHistoryReaderTests {
    static func paused(_ sequence: Int) -> RunHistoryEvent {
        RunHistoryEvent(sequence: sequence, time: Int64(sequence), kind: .paused(nodes: ["w\(sequence)"]))
    }

    @Test func readsWhileAndAfterAnAppRecords() async throws {
        let dir = try TemporaryDirectory()
        defer { dir.remove() }
        let path = dir.path("h.sqlite")
        do {
            let app = try await SQLiteRunHistory(path: path)
            try await app.record(
                RunSummary(runID: "r1", blueprintID: "b", status: .waiting, startedAt: 1), events: [Self.paused(1)])
            let reader = try await SQLiteRunHistory(readingFrom: path)
            #expect(reader.isReadOnly)
            #expect(try await reader.events(of: "r1") == [Self.paused(1)])
            // What the app records later is seen by the open reader.
            try await app.record(
                RunSummary(runID: "r2", blueprintID: "b", status: .waiting, startedAt: 2), events: [Self.paused(1)])
            #expect(try await reader.runs(RunQuery()).runs.map(\.runID) == ["r2", "r1"])
        }
        // The app closed (its WAL checkpointed and removed): a new reader opens the file alone.
        let reader = try await SQLiteRunHistory(readingFrom: path)
        #expect(try await reader.run("r2")?.status == .waiting)
    }

    @Test func refusesToWrite() async throws {
        let dir = try TemporaryDirectory()
        defer { dir.remove() }
        let path = dir.path("h.sqlite")
        _ = try await SQLiteRunHistory(path: path)
        let reader = try await SQLiteRunHistory(readingFrom: path)
        let summary = RunSummary(runID: "r", blueprintID: "b", status: .running, startedAt: 1)
        await #expect { try await reader.record(summary, events: [Self.paused(1)]) } throws: {
            ($0 as? SQLiteHistoryError)?.cause == .readOnly
        }
        await #expect { try await reader.pruneExpiredRuns() } throws: { ($0 as? SQLiteHistoryError)?.cause == .readOnly }
        #expect(try await reader.run("r") == nil)
    }

    /// The app's cap is not known to a reader: it reads every stored event, at most a stored row
    /// beyond the cap.
    @Test func readsEveryStoredEvent() async throws {
        let dir = try TemporaryDirectory()
        defer { dir.remove() }
        let path = dir.path("h.sqlite")
        let app = try await SQLiteRunHistory(path: path, options: SQLiteRunHistory.Options(maximumEventsPerRun: 7))
        let summary = RunSummary(runID: "r", blueprintID: "b", status: .running, startedAt: 5)
        try await app.record(summary, events: (1...5).map(Self.paused))
        try await app.record(summary, events: (6...10).map(Self.paused))
        #expect(try await app.events(of: "r").map(\.sequence) == Array(4...10))
        let reader = try await SQLiteRunHistory(readingFrom: path)
        #expect(try await reader.events(of: "r").map(\.sequence) == Array(1...10))
    }

    @Test func refusesFilesItCannotRead() async throws {
        let dir = try TemporaryDirectory()
        defer { dir.remove() }
        await #expect { _ = try await SQLiteRunHistory(readingFrom: dir.path("missing.sqlite")) } throws: {
            ($0 as? SQLiteHistoryError)?.cause == .cannotOpen
        }
        // A SQLite database that is no run history (schema version 0), and one of the first layout.
        for (name, version) in [("other.sqlite", 0), ("v1.sqlite", 1)] {
            let path = dir.path(name)
            do {
                let connection = try SQLiteConnection(path: path)
                try connection.execute("CREATE TABLE t (x); PRAGMA user_version = \(version)")
            }
            await #expect { _ = try await SQLiteRunHistory(readingFrom: path) } throws: { error in
                guard let error = error as? SQLiteHistoryError else { return false }
                return error.cause == .olderSchema && error.description.contains(name)
                    && error.message.contains(version == 0 ? "not a Flowcraft run history" : "schema version 1")
            }
        }
        let text = dir.path("text.sqlite")
        try Data("not a database at all, just text".utf8).write(to: URL(fileURLWithPath: text))
        await #expect { _ = try await SQLiteRunHistory(readingFrom: text) } throws: {
            ($0 as? SQLiteHistoryError)?.cause == .notADatabase
        }
    }
}

import Flowcraft
@testable import FlowcraftSQLite
import Foundation
import Testing

/// The store checkpoints its write-ahead log once the writing pauses, not at every 1 000 pages: a
/// burst of runs' history stays in the log (the database file does not grow) until then.
@Suite("SQLite history checkpoints after a pause in the writing")
struct SQLiteCheckpointTests {
    /// `count` completed runs of a few events each, in one call.
    static func batches(_ count: Int, from first: Int = 0) -> [RunHistoryBatch] {
        (first..<first + count).map { i in
            let summary = RunSummary(runID: "run-\(i)", blueprintID: "b", status: .completed, startedAt: Int64(i), endedAt: Int64(i + 1))
            let events = (1...4).map { RunHistoryEvent(sequence: $0, time: Int64(i), kind: .paused(nodes: ["node-\($0)"])) }
            return RunHistoryBatch(summary: summary, events: events)
        }
    }

    static func fileSize(_ path: String) -> Int {
        ((try? FileManager.default.attributesOfItem(atPath: path))?[.size] as? NSNumber)?.intValue ?? 0
    }

    @Test("the writer leaves a burst in the log and copies it into the file at the checkpoint; a second checkpoint has nothing to do")
    func writerCheckpointsOnlyWhenAsked() throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let path = directory.path("history.sqlite")
        let writer = try SQLiteHistoryWriter(path: path, options: SQLiteRunHistory.Options())
        let empty = Self.fileSize(path)
        // 6 000 runs in 120 transactions: more than SQLite's default of 1 000 log pages (each
        // transaction logs the pages it changed again), far fewer than the store's limit.
        for round in 0..<120 { try writer.record(Self.batches(50, from: round * 50)) }
        #expect(Self.fileSize(path) == empty, "the burst was checkpointed into the file")
        let logPages = Self.fileSize(path + "-wal") / 4_120
        #expect(logPages > 1_000)
        try writer.checkpointIfIdle()
        let checkpointed = Self.fileSize(path)
        #expect(checkpointed > 500_000, "the file holds \(checkpointed) bytes after the checkpoint")
        try writer.checkpointIfIdle()
        #expect(Self.fileSize(path) == checkpointed)
        #expect(try writer.runs(RunQuery(limit: 1000)).runs.count == 1000)
        #expect(try writer.run("run-5999")?.status == .completed)
    }

    @Test("the store checkpoints by itself once nothing was written for a while")
    func storeCheckpointsAfterAPause() async throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let path = directory.path("history.sqlite")
        let history = try await SQLiteRunHistory(path: path)
        for round in 0..<8 { try await history.record(batches: Self.batches(250, from: round * 250)) }
        // The 2 000 runs take about 300 KB in the file; a checkpoint under way grows it page by page.
        let deadline = ContinuousClock.now + .seconds(20)
        while Self.fileSize(path) <= 200_000 && ContinuousClock.now < deadline {
            try await Task.sleep(for: .milliseconds(20))
        }
        #expect(Self.fileSize(path) > 200_000, "no checkpoint within 20 s of the last write")
        #expect(try await history.runs(RunQuery(limit: 10)).runs.count == 10)
    }
}

import Flowcraft
import FlowcraftSQLite
import Foundation
import Testing

/// Listing, paging, the per-run cap, retention and bad files.
@Suite("SQLite run history store")
struct SQLiteRunHistoryTests {
    /// 1 000 runs through the engine: `ok` completes, `bad` fails; the clock moves 1 ms every third
    /// run, so many runs share a start time (the cursor must break those ties).
    @Test func runsFiltersAndPagesOverAThousandRuns() async throws {
        let dir = try TemporaryDirectory()
        defer { dir.remove() }
        let history = try await SQLiteRunHistory(path: dir.path("h.sqlite"))
        var registry = NodeRegistry()
        registry.register("noop") { _ in NodeResult() }
        registry.register("fail") { _ in throw FlakyError(attempt: 1) }
        let clock = VirtualClock(startingAt: 1_000_000)
        let runtime = try FlowRuntime(
            blueprints: [
                WorkflowBlueprint(id: "ok", nodes: [NodeDefinition(id: "a", uses: "noop")]),
                WorkflowBlueprint(id: "bad", nodes: [NodeDefinition(id: "a", uses: "fail")]),
            ],
            registry: registry, options: FlowRuntime.Options(clock: clock, history: history))
        var started: [(id: String, at: Int64, blueprint: String)] = []
        for i in 0..<1_000 {
            if i % 3 == 0 { clock.advance(milliseconds: 1) }
            let blueprint = i % 4 == 0 ? "bad" : "ok"
            let id = "run-\(i)"
            started.append((id, clock.now(), blueprint))
            _ = try await runtime.run(blueprint, runID: id)
        }
        await runtime.flushHistory()
        let newestFirst = started.sorted { ($0.at, $0.id) > ($1.at, $1.id) }

        func all(_ query: RunQuery) async throws -> [RunSummary] {
            var query = query
            var out: [RunSummary] = []
            var pages = 0
            while true {
                let page = try await history.runs(query)
                #expect(page.runs.count <= query.limit)
                out += page.runs
                pages += 1
                guard let next = page.nextCursor else { break }
                #expect(page.runs.count == query.limit)
                query.cursor = next
                #expect(pages < 1_000)
            }
            return out
        }

        let everything = try await all(RunQuery(limit: 37))
        #expect(everything.map(\.runID) == newestFirst.map(\.id))
        #expect(Set(everything.map(\.runID)).count == 1_000)

        let failed = try await all(RunQuery(status: .failed, limit: 50))
        #expect(failed.map(\.runID) == newestFirst.filter { $0.blueprint == "bad" }.map(\.id))
        #expect(failed.allSatisfy { $0.failedNodeID == "a" && $0.status == .failed })

        let okRuns = try await all(RunQuery(blueprintID: "ok", limit: 1_000))
        #expect(okRuns.map(\.runID) == newestFirst.filter { $0.blueprint == "ok" }.map(\.id))

        let since = newestFirst[99].at
        let recent = try await all(RunQuery(status: .completed, blueprintID: "ok", since: since, limit: 7))
        #expect(recent.map(\.runID) == newestFirst.filter { $0.blueprint == "ok" && $0.at >= since }.map(\.id))

        let first = try await history.runs(RunQuery(limit: 10))
        #expect(first.runs.map(\.runID) == Array(newestFirst.prefix(10).map(\.id)))
        #expect(try await history.runs(RunQuery(status: .cancelled)).runs.isEmpty)
    }

    /// A chain of 100 000 nodes is 100 000 node executions: the store keeps the newest
    /// `maximumEventsPerRun` events (the run's end among them), the summary is complete.
    @Test func perRunCapHoldsForAHundredThousandNodeExecutions() async throws {
        let dir = try TemporaryDirectory()
        defer { dir.remove() }
        let cap = 2_000
        let history = try await SQLiteRunHistory(
            path: dir.path("h.sqlite"), options: SQLiteRunHistory.Options(maximumEventsPerRun: cap))
        let n = 100_000
        let nodes = (0..<n).map { NodeDefinition(id: "n\($0)", uses: "noop") }
        let edges = (1..<n).map { EdgeDefinition(source: "n\($0 - 1)", target: "n\($0)") }
        var registry = NodeRegistry()
        registry.register("noop") { _ in NodeResult() }
        let runtime = try FlowRuntime(
            blueprints: [WorkflowBlueprint(id: "long", nodes: nodes, edges: edges)], registry: registry,
            options: FlowRuntime.Options(history: history))
        let result = try await runtime.run("long", runID: "long-1")
        #expect(result.status == .completed)
        await runtime.flushHistory()

        let events = try await history.events(of: "long-1")
        #expect(events.count == cap)
        // runStarted + 100 000 nodes + runEnded, the newest `cap` kept.
        #expect(events.last?.sequence == n + 2)
        #expect(events.first?.sequence == n + 2 - cap + 1)
        #expect(events.last?.label == "end:completed")
        #expect(events.dropLast().last?.label == "n\(n - 1):completed")
        #expect(try await history.run("long-1")?.status == .completed)
    }

    @Test func aFileThatIsNotADatabaseIsAClearError() async throws {
        let dir = try TemporaryDirectory()
        defer { dir.remove() }
        let path = dir.path("notes.txt")
        try Data(String(repeating: "these are not the pages of a database\n", count: 200).utf8)
            .write(to: URL(fileURLWithPath: path))
        await #expect {
            _ = try await SQLiteRunHistory(path: path)
        } throws: { error in
            guard let error = error as? SQLiteHistoryError else { return false }
            return error.cause == .notADatabase && error.description.contains(path)
                && error.description.contains("not a Flowcraft run history")
        }
    }

    @Test func aMissingDirectoryIsAClearError() async throws {
        let dir = try TemporaryDirectory()
        defer { dir.remove() }
        let path = dir.path("missing/dir/h.sqlite")
        await #expect {
            _ = try await SQLiteRunHistory(path: path)
        } throws: { error in
            guard let error = error as? SQLiteHistoryError else { return false }
            return error.cause == .cannotOpen && error.description.contains(path)
        }
    }

    @Test func badQueriesAndOptionsAreRefused() async throws {
        let dir = try TemporaryDirectory()
        defer { dir.remove() }
        let history = try await SQLiteRunHistory(path: dir.path("h.sqlite"))
        await #expect(throws: RunQueryError.self) { _ = try await history.runs(RunQuery(cursor: "nope")) }
        await #expect(throws: RunQueryError.self) { _ = try await history.runs(RunQuery(limit: 0)) }
        await #expect(throws: SQLiteHistoryError.self) {
            _ = try await SQLiteRunHistory(
                path: dir.path("other.sqlite"), options: SQLiteRunHistory.Options(maximumEventsPerRun: 0))
        }
        #expect(try await history.run("unknown") == nil)
        #expect(try await history.events(of: "unknown").isEmpty)
    }

    @Test func retentionDropsRunsNotWrittenForTheRetentionPeriod() async throws {
        let dir = try TemporaryDirectory()
        defer { dir.remove() }
        let path = dir.path("h.sqlite")
        do {
            let history = try await SQLiteRunHistory(path: path, options: SQLiteRunHistory.Options(retentionSeconds: 3_600))
            let summary = RunSummary(runID: "old", blueprintID: "b", status: .completed, startedAt: 1, endedAt: 2)
            try await history.record(summary, events: [RunHistoryEvent(sequence: 1, time: 1, kind: .paused(nodes: []))])
            #expect(try await history.pruneExpiredRuns() == 0)
            #expect(try await history.run("old") != nil)
        }
        try await Task.sleep(for: .milliseconds(1_100))
        // Opening prunes: the run was last written more than a second ago.
        let history = try await SQLiteRunHistory(path: path, options: SQLiteRunHistory.Options(retentionSeconds: 1))
        #expect(try await history.run("old") == nil)
        #expect(try await history.events(of: "old").isEmpty)
    }

    @Test func recordingTheSameEventsTwiceKeepsOneCopy() async throws {
        let dir = try TemporaryDirectory()
        defer { dir.remove() }
        let history = try await SQLiteRunHistory(path: dir.path("h.sqlite"))
        let summary = RunSummary(runID: "r", blueprintID: "b", status: .running, startedAt: 5)
        let events = (1...3).map { RunHistoryEvent(sequence: $0, time: Int64($0), kind: .paused(nodes: ["w"])) }
        try await history.record(summary, events: events)
        try await history.record(summary, events: events)
        #expect(try await history.events(of: "r") == events)
    }
}

extension SQLiteRunHistoryTests {
    /// A paused run's batch written after its resumer's (two processes) leaves the later summary.
    @Test func aStaleBatchDoesNotOverwriteALaterSummary() async throws {
        let dir = try TemporaryDirectory()
        defer { dir.remove() }
        let history = try await SQLiteRunHistory(path: dir.path("h.sqlite"))
        let waiting = RunSummary(runID: "r", blueprintID: "b", status: .waiting, startedAt: 5)
        var done = waiting
        done.status = .completed
        done.endedAt = 9
        let first = (1...2).map { RunHistoryEvent(sequence: $0, time: 6, kind: .paused(nodes: ["w"])) }
        let later = [
            RunHistoryEvent(sequence: 3, time: 8, kind: .resumed(nodeID: "w", action: "ok")),
            RunHistoryEvent(sequence: 4, time: 9, kind: .runEnded(RunHistoryEvent.RunEnd(status: .completed))),
        ]
        try await history.record(done, events: later)
        try await history.record(waiting, events: first)
        #expect(try await history.run("r")?.status == .completed)
        #expect(try await history.events(of: "r").map(\.sequence) == [1, 2, 3, 4])
    }
}

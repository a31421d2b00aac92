import Foundation
import Testing

/// `flowcraft run --history FILE` records the in-memory run into a SQLite history that the
/// operations commands read with `--db FILE`.
@Suite("flowcraft run --history FILE", .enabled(if: FlowcraftExecutable.url != nil))
struct RunHistoryOptionTests {
    static func blueprint(_ name: String) -> String {
        RunSimulateTests.blueprintsDirectory.appendingPathComponent(name).path
    }

    static func temporaryDatabase() throws -> (directory: URL, path: String) {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("flowcraft-run-history-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        return (dir, dir.appendingPathComponent("runs.sqlite").path)
    }

    static func object(_ text: String) throws -> [String: Any] {
        try #require(try JSONSerialization.jsonObject(with: Data(text.utf8)) as? [String: Any], "\(text.prefix(400))")
    }

    @Test("the database file alone holds the history once run exits: a copy without its write-ahead log lists the run")
    func theFileAloneHoldsTheHistory() async throws {
        let (dir, db) = try Self.temporaryDatabase()
        defer { try? FileManager.default.removeItem(at: dir) }
        let run = try await FlowcraftExecutable.run(["run", Self.blueprint("order-fulfillment.yaml"), "--simulate", "--history", db, "--json"])
        #expect(run.status == 0, "\(run.stderr)")
        let runID = try #require(try Self.object(run.stdout)["runId"] as? String)
        // Found by review: the command exited with every row still in `runs.sqlite-wal`.
        let copy = dir.appendingPathComponent("copy").appendingPathComponent("runs.sqlite")
        try FileManager.default.createDirectory(at: copy.deletingLastPathComponent(), withIntermediateDirectories: true)
        try FileManager.default.copyItem(atPath: db, toPath: copy.path)
        let runs = try await FlowcraftExecutable.run(["runs", "--db", copy.path, "--json"])
        #expect(runs.status == 0, "\(runs.stderr)")
        #expect(runs.stdout.contains(runID), "\(runs.stdout)")
    }

    @Test("inspect of a run waiting in a subflow shows the child run it waits in")
    func waitingParentShowsItsChild() async throws {
        let (dir, db) = try Self.temporaryDatabase()
        defer { try? FileManager.default.removeItem(at: dir) }
        try "id: parent\nnodes:\n  - { id: call, uses: subflow, params: { blueprintId: child } }\n"
            .write(to: dir.appendingPathComponent("parent.yaml"), atomically: true, encoding: .utf8)
        try "id: child\nnodes:\n  - { id: ask, uses: wait }\n".write(to: dir.appendingPathComponent("child.yaml"), atomically: true, encoding: .utf8)
        // Built-in nodes only: no --simulate, and nothing answers the wait, so the run stays waiting.
        let run = try await FlowcraftExecutable.run(["run", dir.appendingPathComponent("parent.yaml").path, "--history", db, "--json"])
        let runID = try #require(try Self.object(run.stdout)["runId"] as? String, "\(run.stderr)")
        #expect(try Self.object(run.stdout)["status"] as? String == "awaiting")
        // Found by review: the children came only from finished subflow executions, so "children" was empty.
        let inspect = try await FlowcraftExecutable.run(["inspect", runID, "--db", db, "--json"])
        #expect(inspect.status == 0, "\(inspect.stderr)")
        let children = try Self.object(inspect.stdout)["children"] as? [[String: Any]] ?? []
        let child = try #require(children.first, "\(inspect.stdout)")
        let summary = child["summary"] as? [String: Any]
        #expect(summary?["runID"] as? String == runID + "/call#0")
        #expect(summary?["status"] as? String == "waiting")
    }

    @Test("a history file in a directory the reader may not write is read (runs, inspect) all the same")
    func readOnlyDirectoryIsRead() async throws {
        let (dir, db) = try Self.temporaryDatabase()
        defer {
            try? FileManager.default.setAttributes([.posixPermissions: 0o755], ofItemAtPath: dir.path)
            try? FileManager.default.removeItem(at: dir)
        }
        let run = try await FlowcraftExecutable.run(["run", Self.blueprint("order-fulfillment.yaml"), "--simulate", "--history", db, "--json"])
        let runID = try #require(try Self.object(run.stdout)["runId"] as? String, "\(run.stderr)")
        // What a copy or a backup holds: the checkpointed file alone, without its -wal and -shm.
        for suffix in ["-wal", "-shm"] { try? FileManager.default.removeItem(atPath: db + suffix) }
        // Found by review: SQLite needs to create the shared-memory file of a WAL database beside it,
        // so reading failed with "attempt to write a readonly database".
        let reader: [String]
        if geteuid() == 0 {
            // Root writes anywhere: read as nobody instead (the directory stays root's, 0755).
            let setpriv = try #require(
                ["/usr/bin/setpriv", "/bin/setpriv"].first { FileManager.default.isExecutableFile(atPath: $0) },
                "setpriv (util-linux) is needed to read as another user")
            try FileManager.default.setAttributes([.posixPermissions: 0o755], ofItemAtPath: dir.path)
            try FileManager.default.setAttributes([.posixPermissions: 0o644], ofItemAtPath: db)
            reader = [setpriv, "--reuid=65534", "--regid=65534", "--clear-groups", try #require(FlowcraftExecutable.url?.path)]
        } else {
            try FileManager.default.setAttributes([.posixPermissions: 0o555], ofItemAtPath: dir.path)
            reader = [try #require(FlowcraftExecutable.url?.path)]
        }
        let runs = try await FlowcraftExecutable.run(command: reader + ["runs", "--db", db, "--json"])
        #expect(runs.status == 0, "\(runs.stderr)")
        #expect(runs.stdout.contains(runID), "\(runs.stdout)")
        let inspect = try await FlowcraftExecutable.run(command: reader + ["inspect", runID, "--db", db, "--json"])
        #expect(inspect.status == 0, "\(inspect.stderr)")
    }

    @Test("history option mistakes are usage errors (exit 2) naming the option")
    func historyOptionMistakesNameTheOption() async throws {
        let (dir, db) = try Self.temporaryDatabase()
        defer { try? FileManager.default.removeItem(at: dir) }
        let file = Self.blueprint("order-fulfillment.yaml")
        #expect(try await FlowcraftExecutable.run(["run", file, "--simulate", "--history", db]).status == 0)
        // Found by review: exit 1 without the option's name; an empty --history recorded into a
        // temporary database and exited 0; resume and cancel said "unknown option '--db'".
        let cursor = try await FlowcraftExecutable.run(["runs", "--db", db, "--cursor", "garbage"])
        #expect(cursor.status == 2 && cursor.stderr.contains("--cursor"), "\(cursor.status): \(cursor.stderr)")
        let empty = try await FlowcraftExecutable.run(["run", file, "--simulate", "--history", ""])
        #expect(empty.status == 2 && empty.stderr.contains("--history needs a file path"), "\(empty.status): \(empty.stderr)")
        for command in [["resume", "some-run", "--blueprints", file], ["cancel", "some-run"]] {
            let refused = try await FlowcraftExecutable.run(command + ["--db", db])
            #expect(refused.status == 2 && refused.stderr.contains("--db: an in-memory run is"), "\(command[0]): \(refused.stderr)")
        }
        // Options graph ignored without a word: now refused, naming them.
        let graphDB = try await FlowcraftExecutable.run(["graph", file, "--db", db])
        #expect(graphDB.status == 2 && graphDB.stderr.contains("add --run RUN"), "\(graphDB.stderr)")
        let runs = try await FlowcraftExecutable.run(["runs", "--db", db, "--json"])
        let listed = try #require(try Self.object(runs.stdout)["runs"] as? [[String: Any]])
        let recorded = try #require(listed.first?["runID"] as? String)
        let graphBlueprint = try await FlowcraftExecutable.run(["graph", file, "--run", recorded, "--db", db, "--blueprint", "other"])
        #expect(graphBlueprint.status == 1 && graphBlueprint.stderr.contains("ran blueprint 'order-fulfillment', not 'other' (--blueprint)"),
                "\(graphBlueprint.status): \(graphBlueprint.stderr)")
        let graphSame = try await FlowcraftExecutable.run(["graph", file, "--run", recorded, "--db", db, "--blueprint", "order-fulfillment"])
        #expect(graphSame.status == 0, "\(graphSame.stderr)")
        // A directory or a missing directory is named as such (was "disk I/O error", "unable to open").
        let directory = try await FlowcraftExecutable.run(["runs", "--db", dir.path])
        #expect(directory.status == 1 && directory.stderr.contains("--db: run history '\(dir.path)': cannot open: it is a directory"),
                "\(directory.stderr)")
        let missing = dir.appendingPathComponent("none").appendingPathComponent("h.sqlite").path
        let noDirectory = try await FlowcraftExecutable.run(["run", file, "--simulate", "--history", missing])
        #expect(noDirectory.status == 2 && noDirectory.stderr.contains("does not exist"), "\(noDirectory.stderr)")
        let since = try await FlowcraftExecutable.run(["runs", "--db", db, "--since", "521w"])
        #expect(since.status == 2 && since.stderr.contains("520 weeks at most"), "\(since.stderr)")
        // A negative span reaches the check (was "Missing value for '--since'").
        let negative = try await FlowcraftExecutable.run(["runs", "--db", db, "--since", "-1h"])
        #expect(negative.status == 2 && negative.stderr.contains("got '-1h'"), "\(negative.stderr)")
    }

    @Test("a sleep duration past the bound is a located INVALID_DURATION; one just below it parks the run without overflowing")
    func hugeSleeps() async throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("flowcraft-huge-sleep-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        func blueprint(_ duration: String) throws -> String {
            let file = dir.appendingPathComponent("s\(duration.count).yaml").path
            try "id: s\(duration.count)\nnodes:\n  - { id: a, uses: sleep, params: { duration: \(duration) } }\n"
                .write(toFile: file, atomically: true, encoding: .utf8)
            return file
        }
        // Found by review: `now + duration` overflowed (exit 132) for 9223372036854775807, which
        // validate accepted while the same span written with a unit was refused.
        let tooLong = try blueprint("9223372036854775807")
        let validate = try await FlowcraftExecutable.run(["validate", tooLong])
        #expect(validate.status == 1 && validate.stderr.contains("INVALID_DURATION"), "\(validate.stderr)")
        #expect(validate.stderr.contains(":3:"), "located: \(validate.stderr)")
        // The simulated run wakes the longest sleep on its virtual clock and completes.
        let longest = try blueprint("8999999999999999")
        let run = try await FlowcraftExecutable.run(["run", longest, "--simulate", "--json"], timeout: 30)
        #expect(run.status == 0, "\(run.status): \(run.stderr)")
        #expect(try Self.object(run.stdout)["status"] as? String == "completed")
    }

    @Test("a failed run is listed as failed with its node, inspected with its timeline, and drawn with its states")
    func failedRunIsRecorded() async throws {
        let (dir, db) = try Self.temporaryDatabase()
        defer { try? FileManager.default.removeItem(at: dir) }
        let file = Self.blueprint("order-fulfillment.yaml")
        let run = try await FlowcraftExecutable.run(["run", file, "--simulate", "--fail", "validate", "--history", db, "--json"])
        #expect(run.status == 1, "\(run.stderr)")
        let runID = try #require(try Self.object(run.stdout)["runId"] as? String)

        let runs = try await FlowcraftExecutable.run(["runs", "--db", db, "--status", "failed", "--json"])
        #expect(runs.status == 0, "\(runs.stderr)")
        let listed = try #require(try Self.object(runs.stdout)["runs"] as? [[String: Any]])
        #expect(listed.count == 1)
        #expect(listed.first?["runID"] as? String == runID)
        #expect(listed.first?["failedNodeID"] as? String == "validate")
        // Started about now (the virtual clock starts at the wall clock), not at a fixed date.
        let startedAt = try #require(listed.first?["startedAt"] as? Int)
        #expect(abs(Double(startedAt) / 1000 - Date().timeIntervalSince1970) < 600, "startedAt \(startedAt)")

        let inspect = try await FlowcraftExecutable.run(["inspect", runID, "--db", db, "--json"])
        #expect(inspect.status == 0, "\(inspect.stderr)")
        #expect(inspect.stdout.contains("simulated failure of 'validate'"), "\(inspect.stdout.prefix(600))")
        #expect(inspect.stdout.contains("order-fulfillment.yaml"), "the error's YAML position")
        // Empty collections print as {} and [], not over three lines.
        #expect(inspect.stdout.contains("\"pauses\" : []") && inspect.stdout.contains("\"context\" : {}"), "\(inspect.stdout.prefix(300))")
        let replay = try await FlowcraftExecutable.run(["replay", runID, "--db", db])
        #expect(replay.status == 0 && replay.stdout.hasSuffix("nodes applied: validate\n{}\n"), "\(replay.stdout)")

        let graph = try await FlowcraftExecutable.run(["graph", file, "--run", runID, "--db", db, "--format", "mermaid"])
        #expect(graph.status == 0, "\(graph.stderr)")
        #expect(graph.stdout.contains("class validate failed"), "\(graph.stdout)")
    }

    @Test("a run with a subflow records its child run, named after the parent, with the pause it answered")
    func childRunsAreRecorded() async throws {
        let (dir, db) = try Self.temporaryDatabase()
        defer { try? FileManager.default.removeItem(at: dir) }
        let run = try await FlowcraftExecutable.run([
            "run", Self.blueprint("content-moderation.yaml"), "--simulate", "--action", "triage=review", "--history", db, "--json",
        ])
        #expect(run.status == 0, "\(run.stderr)")
        let runID = try #require(try Self.object(run.stdout)["runId"] as? String)
        let runs = try await FlowcraftExecutable.run(["runs", "--db", db, "--json"])
        let listed = try #require(try Self.object(runs.stdout)["runs"] as? [[String: Any]])
        #expect(Set(listed.compactMap { $0["runID"] as? String }) == [runID, runID + "/review#0"])
        #expect(listed.allSatisfy { $0["status"] as? String == "completed" })
        let child = try await FlowcraftExecutable.run(["inspect", runID + "/review#0", "--db", db, "--json"])
        #expect(child.status == 0, "\(child.stderr)")
        #expect(child.stdout.contains("await-verdict") && child.stdout.contains("\"paused\""), "\(child.stdout.prefix(800))")
    }

    @Test("a history file that cannot be opened is a usage error naming --history; nothing runs")
    func unusableFileIsRefused() async throws {
        let (dir, _) = try Self.temporaryDatabase()
        defer { try? FileManager.default.removeItem(at: dir) }
        let notADatabase = dir.appendingPathComponent("notes.txt").path
        try Data("not a database, just some text that is long enough to be a file header\n".utf8).write(to: URL(fileURLWithPath: notADatabase))
        let run = try await FlowcraftExecutable.run([
            "run", Self.blueprint("order-fulfillment.yaml"), "--simulate", "--history", notADatabase,
        ])
        #expect(run.status == 2)
        #expect(run.stderr.contains("--history") && run.stderr.contains(notADatabase), "\(run.stderr)")
        #expect(!run.stdout.contains("start "), "no node ran: \(run.stdout)")
    }

    @Test("redrive --db says an in-memory run is redriven by its app, status --db points to inspect --db; redrive without --blueprints names the option")
    func redriveFromAFileIsExplained() async throws {
        let fromFile = try await FlowcraftExecutable.run(["redrive", "some-run", "--db", "runs.sqlite"])
        #expect(fromFile.status == 2)
        #expect(fromFile.stderr.contains("--db") && fromFile.stderr.contains("FlowRuntime.redrive"), "\(fromFile.stderr)")
        let status = try await FlowcraftExecutable.run(["status", "some-run", "--db", "runs.sqlite"])
        #expect(status.status == 2)
        #expect(status.stderr.contains("flowcraft inspect RUN --db FILE"), "\(status.stderr)")
        let withoutBlueprints = try await FlowcraftExecutable.run(["redrive", "some-run"])
        #expect(withoutBlueprints.status == 2)
        #expect(withoutBlueprints.stderr.contains("--blueprints"), "\(withoutBlueprints.stderr)")
    }
}

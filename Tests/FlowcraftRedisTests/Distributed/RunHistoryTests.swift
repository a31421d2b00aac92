import Foundation
import Flowcraft
import FlowcraftCompiler
@testable import FlowcraftRedis
import Synchronization
import Testing

/// Run history in the distributed engine: recorded by the commit script (``DistributedHistory``),
/// read by ``RedisRunHistory`` and the `runs`, `inspect`, `graph --run` and `replay` commands.
@Suite("Distributed run history", .requiresRedis)
struct RunHistoryTests {
    typealias Support = DistributedTestSupport
    typealias E = RunHistoryEvent

    /// flaky (2 failed attempts, then success) → risky (fails; fallback rescue) → ask (wait) -go→
    /// sub (subflow of `leafflow`) → last (fails the run).
    static let ops = WorkflowBlueprint(
        id: "ops",
        nodes: [
            NodeDefinition(id: "flaky", uses: "flaky", config: NodeConfig(maxRetries: 3, retryDelay: 5)),
            NodeDefinition(id: "risky", uses: "boom", config: NodeConfig(fallback: "rescue")),
            NodeDefinition(id: "rescue", uses: "rescue"),
            NodeDefinition(id: "ask", uses: "wait"),
            NodeDefinition(id: "sub", uses: "subflow", params: ["blueprintId": "leafflow"]),
            NodeDefinition(id: "last", uses: "boom"),
        ],
        edges: [
            EdgeDefinition(source: "flaky", target: "risky"), EdgeDefinition(source: "risky", target: "ask"),
            EdgeDefinition(source: "ask", target: "sub", action: "go"), EdgeDefinition(source: "sub", target: "last"),
        ])
    static let leaf = WorkflowBlueprint(id: "leafflow", nodes: [NodeDefinition(id: "work", uses: "echo")], edges: [])

    static func registry() -> NodeRegistry {
        var registry = NodeRegistry()
        registry.register("flaky") { ctx in
            if ctx.attempt < 3 { throw DistributedError("flaky attempt \(ctx.attempt)") }
            try await ctx.state.set("flaked", .int(ctx.attempt))
            return NodeResult(output: "steady")
        }
        registry.register("boom") { _ in throw DistributedError("boom") }
        registry.register("rescue") { _ in NodeResult(output: "rescued") }
        registry.register("echo") { ctx in NodeResult(output: ctx.input) }
        registry.register("maybe") { ctx in
            if try await ctx.state.get("fail") == .bool(true) { throw DistributedError("asked to fail") }
            return NodeResult(output: "ok")
        }
        registry.register("inc") { ctx in
            let n = (try await ctx.state.get("n"))?.intValue ?? 0
            try await ctx.state.set("n", .int(n + 1))
            return NodeResult()
        }
        return registry
    }

    func nodes(_ events: [E]) -> [E.NodeExecution] {
        events.compactMap { if case .nodeFinished(let e) = $0.kind { return e } else { return nil } }
    }

    @Test("retries, a fallback, a pause and resume, a subflow and a failure show on the timeline", arguments: DistributedRetryMode.allCases)
    func timeline(retryMode: DistributedRetryMode) async throws {
        let binary = try #require(ChaosTests.flowcraftBinary, "the flowcraft executable must be built (swift build --build-tests)")
        let url = try #require(TestRedis.url)
        let queue = Support.uniqueQueue("history")
        try await Support.withWorker(
            blueprints: [Self.ops, Self.leaf], registry: Self.registry(), queue: queue, retryMode: retryMode
        ) { workflows, client in
            let runID = try await workflows.startWorkflow(blueprintID: "ops", context: ["order": 7])
            let paused = try await workflows.result(runID, timeout: .seconds(30), returnWhenAwaiting: true)
            #expect(paused.status == .awaiting, "\(paused.json)")
            try await workflows.resume(runID, action: "go")
            let final = try await workflows.result(runID, timeout: .seconds(30), returnWhenAwaiting: false)
            #expect(final.status == .failed, "\(final.json)")

            let history = RedisRunHistory(client: client, queueName: queue)
            let events = try await history.events(of: runID)
            #expect(events.map(\.sequence) == Array(1...events.count))
            let kinds = events.map { event -> String in
                switch event.kind {
                case .runStarted: return "start"
                case .nodeFinished(let e): return "\(e.nodeID):\(e.status.rawValue)"
                case .paused(let nodes): return "pause:\(nodes.joined(separator: ","))"
                case .resumed(let node, let action): return "resume:\(node):\(action ?? "")"
                case .redriven: return "redrive"
                case .runEnded(let end): return "end:\(end.status.rawValue):\(end.failedNodeID ?? "")"
                }
            }
            #expect(kinds == [
                "start", "flaky:completed", "risky:recovered", "rescue:completed", "pause:ask", "resume:ask:go",
                "ask:completed", "sub:completed", "last:failed", "end:failed:last",
            ])

            // `inspect --json` shows the same, with the child run nested.
            let inspected = try await Self.run(binary, ["inspect", runID, "--json", "--redis", url, "--queue", queue])
            #expect(inspected.status == 0, "\(inspected.stderr)")
            let inspection = try JSONDecoder().decode(RunInspection.self, from: Data(inspected.stdout.utf8))
            #expect(inspection.summary.status == .failed && inspection.summary.failedNodeID == "last")
            #expect(inspection.summary.blueprintID == "ops")
            let flaky = try #require(inspection.timeline.first { $0.nodeID == "flaky" })
            #expect(flaky.attempts == 3, "\(flaky)")
            #expect(flaky.attemptErrors.count == 3 && flaky.attemptErrors[0]?.contains("flaky attempt 1") == true
                && flaky.attemptErrors[1]?.contains("flaky attempt 2") == true && flaky.attemptErrors[2] == nil, "\(flaky)")
            #expect((flaky.startOffsetMs ?? -1) >= 0 && (flaky.durationMs ?? -1) >= 0)
            let risky = try #require(inspection.timeline.first { $0.nodeID == "risky" })
            #expect(risky.status == .recovered && risky.fallbackNodeID == "rescue" && risky.error?.contains("boom") == true)
            let last = try #require(inspection.timeline.first { $0.nodeID == "last" })
            #expect(last.status == .failed && last.error?.contains("boom") == true)
            #expect(inspection.summary.errorLocation?.description == last.errorLocation)
            #expect(inspection.pauses.map(\.kind) == [.paused, .resumed] && inspection.pauses[1].action == "go")
            #expect(inspection.context["order"] == 7 && inspection.context["flaked"] == 3)
            #expect(inspection.context["_outputs.rescue"] == "rescued")
            let sub = try #require(inspection.timeline.first { $0.nodeID == "sub" })
            let childID = SubflowParentLink.childRunID(parent: runID, node: NodeInstance("sub"))
            #expect(sub.childRunID == childID)
            #expect(inspection.children.count == 1)
            let child = try #require(inspection.children.first)
            #expect(child.summary.runID == childID && child.summary.parentRunID == runID && child.summary.parentNodeID == "sub")
            #expect(child.timeline.map(\.nodeID) == ["work"] && child.summary.status == .completed)

            // The text form names the same.
            let text = try await Self.run(binary, ["inspect", runID, "--redis", url, "--queue", queue])
            #expect(text.status == 0 && text.stdout.contains("failed node: last") && text.stdout.contains("fallback: rescue")
                && text.stdout.contains("resumed ask with action 'go'") && text.stdout.contains("child run"), "\(text.stdout)")

            // `replay --until` rebuilds the context at an event.
            let replayed = try await Self.run(binary, ["replay", runID, "--until", "2", "--json", "--redis", url, "--queue", queue])
            #expect(replayed.status == 0, "\(replayed.stderr)")
            let replay = try JSONDecoder().decode(RunReplay.self, from: Data(replayed.stdout.utf8))
            #expect(replay.context["flaked"] == 3 && replay.context["_outputs.rescue"] == nil && replay.appliedNodes == ["flaky"])
            let badUntil = try await Self.run(binary, ["replay", runID, "--until", "0", "--redis", url, "--queue", queue])
            #expect(badUntil.status == 2 && badUntil.stderr.contains("--until"), "\(badUntil.stderr)")
        }
    }

    @Test("runs filters by status, blueprint and start time and pages over 1 000 runs")
    func listsAndPages() async throws {
        let binary = try #require(ChaosTests.flowcraftBinary, "the flowcraft executable must be built (swift build --build-tests)")
        let url = try #require(TestRedis.url)
        let queue = Support.uniqueQueue("history-runs")
        let one = WorkflowBlueprint(id: "one", nodes: [NodeDefinition(id: "work", uses: "maybe")], edges: [])
        let other = WorkflowBlueprint(id: "other", nodes: [NodeDefinition(id: "work", uses: "maybe")], edges: [])
        try await Support.withWorker(
            blueprints: [one, other], registry: Self.registry(), queue: queue, concurrency: 16
        ) { workflows, client in
            let before = Int64(QueueClock.nowMilliseconds())
            let prefix = "run-\(UUID().uuidString.prefix(8))-"
            for i in 0..<1_000 {
                try await workflows.startWorkflow(
                    blueprintID: i % 10 == 1 ? "other" : "one", context: ["fail": .bool(i % 10 == 0)], runID: prefix + String(i))
            }
            let deadline = ContinuousClock.now + .seconds(120)
            while ContinuousClock.now < deadline {
                let counts = try await client.pipeline([
                    RedisCommand(["ZCARD", DistributedKeys.historyStatus(queue: queue, status: "completed")]),
                    RedisCommand(["ZCARD", DistributedKeys.historyStatus(queue: queue, status: "failed")]),
                ])
                if (counts[0].int ?? 0) + (counts[1].int ?? 0) == 1_000 { break }
                try await Task.sleep(for: .milliseconds(100))
            }
            let history = RedisRunHistory(client: client, queueName: queue)
            func all(_ query: RunQuery) async throws -> [RunSummary] { try await Self.allPages(of: history, query) }
            let everything = try await all(RunQuery(limit: 97))
            #expect(everything.count == 1_000 && Set(everything.map(\.runID)).count == 1_000)
            #expect(zip(everything, everything.dropFirst()).allSatisfy { $0.startedAt >= $1.startedAt }, "not newest first")
            let failed = try await all(RunQuery(status: .failed, limit: 30))
            #expect(failed.count == 100 && Set(failed.map(\.runID)) == Set((0..<100).map { prefix + String($0 * 10) }))
            #expect(failed.allSatisfy { $0.status == .failed && $0.failedNodeID == "work" && $0.error?.contains("asked to fail") == true })
            let others = try await all(RunQuery(blueprintID: "other", limit: 1_000))
            #expect(others.count == 100 && others.allSatisfy { $0.blueprintID == "other" && $0.status == .completed })
            #expect(try await all(RunQuery(status: .failed, blueprintID: "other", limit: 50)).isEmpty)
            #expect(try await all(RunQuery(status: .running, limit: 50)).isEmpty)
            #expect(try await all(RunQuery(since: before, limit: 1_000)).count == 1_000)
            #expect(try await history.runs(RunQuery(since: Int64(QueueClock.nowMilliseconds()) + 60_000)).runs.isEmpty)
            await #expect(throws: RunQueryError.self) { try await history.runs(RunQuery(limit: 0)) }
            await #expect(throws: RunQueryError.self) { try await history.runs(RunQuery(cursor: "nonsense")) }

            let common = ["--redis", url, "--queue", queue]
            let listed = try await Self.run(binary, ["runs", "--status", "failed", "--limit", "5", "--json"] + common)
            #expect(listed.status == 0, "\(listed.stderr)")
            let page = try #require(try JSONText.parse(listed.stdout).objectValue)
            #expect(page["runs"]?.arrayValue?.count == 5 && page["nextCursor"]?.stringValue != nil, "\(listed.stdout)")
            let table = try await Self.run(binary, ["runs", "--blueprint", "other", "--since", "1h", "--limit", "3"] + common)
            #expect(table.status == 0 && table.stdout.contains("RUN") && table.stdout.contains("next page: --cursor"), "\(table.stdout)")
            for bad in [["--limit", "0"], ["--limit", "1001"], ["--since", "1x"], ["--status", "done"]] {
                let refused = try await Self.run(binary, ["runs"] + bad + common)
                #expect(refused.status == 2 && refused.stderr.contains(bad[0]), "\(bad): \(refused.stderr)")
            }
            let unknown = try await Self.run(binary, ["inspect", "no-such-run", "--redis", url, "--queue", queue])
            #expect(unknown.status == 4 && unknown.stderr.contains("unknown run 'no-such-run'"), "\(unknown.stderr)")
        }
    }

    @Test("runs --status running lists the runs in flight from the active-runs index: newest first, paged, filtered; finished and paused runs are not listed")
    func listsRunningRuns() async throws {
        let queue = Support.uniqueQueue("history-running")
        let hold = WorkflowBlueprint(id: "hold", nodes: [NodeDefinition(id: "work", uses: "hold")], edges: [])
        let other = WorkflowBlueprint(id: "other", nodes: [NodeDefinition(id: "work", uses: "hold")], edges: [])
        let quick = WorkflowBlueprint(id: "quick", nodes: [NodeDefinition(id: "work", uses: "echo")], edges: [])
        let paused = WorkflowBlueprint(id: "paused", nodes: [NodeDefinition(id: "ask", uses: "wait")], edges: [])
        let released = Atomic<Bool>(false)
        var registry = Self.registry()
        registry.register("hold") { ctx in
            while !released.load(ordering: .relaxed) { try await Task.sleep(for: .milliseconds(20)) }
            return NodeResult(output: ctx.input)
        }
        try await Support.withWorker(
            blueprints: [hold, other, quick, paused], registry: registry, queue: queue, concurrency: 4
        ) { workflows, client in
            let history = RedisRunHistory(client: client, queueName: queue)
            let prefix = "r\(UUID().uuidString.prefix(8))-"
            for i in 0..<20 {
                let id = try await workflows.startWorkflow(blueprintID: "quick", runID: prefix + "quick-\(i)")
                _ = try await workflows.result(id, timeout: .seconds(30))
            }
            let waiting = try await workflows.startWorkflow(blueprintID: "paused")
            _ = try await workflows.result(waiting, timeout: .seconds(30))
            // 25 runs in flight: 4 executing, the rest queued; one of every five of another blueprint.
            var started: [String] = []
            for i in 0..<25 {
                started.append(try await workflows.startWorkflow(blueprintID: i % 5 == 0 ? "other" : "hold", runID: prefix + "hold-\(i)"))
                if i == 12 { try await Task.sleep(for: .milliseconds(5)) }
            }
            func all(_ query: RunQuery) async throws -> [RunSummary] { try await Self.allPages(of: history, query) }
            // A run in flight longer than the state TTL loses its start-index entry to the index trim
            // (which cuts by start time): it is still listed as running.
            _ = try await client.send(RedisCommand(["ZREM", DistributedKeys.historyStarted(queue: queue), started[3], started[4]]))
            let running = try await all(RunQuery(status: .running, limit: 7))
            #expect(running.count == 25 && Set(running.map(\.runID)) == Set(started), "\(running.map(\.runID))")
            #expect(running.allSatisfy { $0.status == .running })
            #expect(zip(running, running.dropFirst()).allSatisfy {
                $0.startedAt > $1.startedAt || ($0.startedAt == $1.startedAt && $1.runID.utf8.lexicographicallyPrecedes($0.runID.utf8))
            }, "not newest first")
            let others = try await all(RunQuery(status: .running, blueprintID: "other", limit: 2))
            #expect(Set(others.map(\.runID)) == Set(stride(from: 0, to: 25, by: 5).map { prefix + "hold-\($0)" }))
            let late = try #require(running.first?.startedAt)
            #expect(try await all(RunQuery(status: .running, since: late, limit: 50)).allSatisfy { $0.startedAt >= late })
            #expect(try await all(RunQuery(status: .waiting, limit: 50)).map(\.runID) == [waiting])

            released.store(true, ordering: .relaxed)
            for id in started { _ = try await workflows.result(id, timeout: .seconds(30)) }
            #expect(try await all(RunQuery(status: .running, limit: 50)).isEmpty)
            #expect(try await all(RunQuery(status: .completed, limit: 50)).count == 45)
        }
    }

    @Test("runs --status waiting reads the queue's index of waiting runs: a run enters it as it pauses and leaves it as it runs again, completes, or is cancelled")
    func listsWaitingRunsFromTheirIndex() async throws {
        let queue = Support.uniqueQueue("history-waiting")
        let ask = WorkflowBlueprint(
            id: "ask",
            nodes: [
                NodeDefinition(id: "ask", uses: "wait"), NodeDefinition(id: "again", uses: "wait"),
                NodeDefinition(id: "end", uses: "echo"),
            ],
            edges: [
                EdgeDefinition(source: "ask", target: "again", action: "twice"),
                EdgeDefinition(source: "ask", target: "end", action: "done"),
            ])
        let quick = WorkflowBlueprint(id: "quick", nodes: [NodeDefinition(id: "work", uses: "echo")], edges: [])
        try await Support.withWorker(blueprints: [ask, quick], registry: Self.registry(), queue: queue) { workflows, client in
            let history = RedisRunHistory(client: client, queueName: queue)
            func waiting() async throws -> Set<String> {
                Set(try await Self.allPages(of: history, RunQuery(status: .waiting, limit: 2)).map(\.runID))
            }
            func indexed() async throws -> Int {
                try await client.send(RedisCommand(["ZCARD", DistributedKeys.historyStatus(queue: queue, status: "waiting")])).int ?? -1
            }
            for _ in 0..<30 {
                let id = try await workflows.startWorkflow(blueprintID: "quick")
                _ = try await workflows.result(id, timeout: .seconds(30))
            }
            var paused: [String] = []
            for _ in 0..<4 {
                let id = try await workflows.startWorkflow(blueprintID: "ask")
                #expect(try await workflows.result(id, timeout: .seconds(30)).status == .awaiting)
                paused.append(id)
            }
            #expect(try await waiting() == Set(paused))
            #expect(try await indexed() == 4)

            // Resumed into another wait: still waiting, listed once.
            try await workflows.resume(paused[0], nodeID: "ask", action: "twice")
            #expect(try await workflows.result(paused[0], timeout: .seconds(30)).status == .awaiting)
            // Resumed to its end: completed.
            try await workflows.resume(paused[1], nodeID: "ask", action: "done")
            #expect(try await workflows.result(paused[1], timeout: .seconds(30), returnWhenAwaiting: false).status == .completed)
            // Cancelled while waiting.
            try await workflows.cancel(paused[2])
            #expect(try await waiting() == [paused[0], paused[3]])
            #expect(try await indexed() == 2, "runs that no longer wait leave the index")
        }
    }

    /// Every run `query` lists, page after page (each page within the query's limit).
    static func allPages(of history: RedisRunHistory, _ query: RunQuery) async throws -> [RunSummary] {
        var query = query
        var found: [RunSummary] = []
        while true {
            let page = try await history.runs(query)
            #expect(page.runs.count <= query.limit)
            found += page.runs
            guard let next = page.nextCursor else { return found }
            query.cursor = next
        }
    }

    static let graphYAML = """
        id: paths
        nodes:
          - { id: a, uses: pick }
          - { id: b, uses: echo }
          - { id: c, uses: boom }
          - { id: d, uses: echo }
          - { id: e, uses: echo }
        edges:
          - { source: a, target: b, action: ok }
          - { source: a, target: e, action: other }
          - { source: b, target: c }
          - { source: c, target: d }
        """

    @Test("graph --run colours each node's state and marks the taken edges")
    func graphMarksStates() async throws {
        let binary = try #require(ChaosTests.flowcraftBinary, "the flowcraft executable must be built (swift build --build-tests)")
        let url = try #require(TestRedis.url)
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("flowcraft-graph-run-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        try Self.graphYAML.write(to: directory.appendingPathComponent("paths.yaml"), atomically: true, encoding: .utf8)
        let compiled = BlueprintCompiler().compile(sources: [("paths.yaml", Self.graphYAML)])
        #expect(!compiled.hasErrors, "\(compiled.diagnostics)")
        var registry = Self.registry()
        registry.register("pick") { _ in NodeResult(output: "picked", action: "ok") }
        let queue = Support.uniqueQueue("history-graph")
        try await Support.withWorker(blueprints: compiled.blueprints, registry: registry, queue: queue) { workflows, client in
            let runID = try await workflows.startWorkflow(blueprintID: "paths")
            let final = try await workflows.result(runID, timeout: .seconds(30))
            #expect(final.status == .failed, "\(final.json)")
            // The summary names the failed node's YAML line (kept by the run's end entry).
            let summary = try await RedisRunHistory(client: client, queueName: queue).run(runID)
            #expect(summary?.failedNodeID == "c" && summary?.errorLocation?.file == "paths.yaml"
                && summary?.errorLocation?.line == 5, "\(String(describing: summary))")
            let text = try await Self.run(binary, ["inspect", runID, "--redis", url, "--queue", queue])
            #expect(text.stdout.contains("failed node: c (paths.yaml:5:5)"), "\(text.stdout)\n\(text.stderr)")
            let common = ["--run", runID, "--blueprints", directory.path, "--redis", url, "--queue", queue]
            let mermaid = try await Self.run(binary, ["graph"] + common)
            #expect(mermaid.status == 0, "\(mermaid.stderr)")
            for line in ["class a,b completed", "class c failed", "class e skipped", "(not-reached)", "linkStyle 0,2 stroke:"] {
                #expect(mermaid.stdout.contains(line), "missing \(line) in\n\(mermaid.stdout)")
            }
            let dot = try await Self.run(binary, ["graph", "--format", "dot"] + common)
            #expect(dot.status == 0, "\(dot.stderr)")
            #expect(dot.stdout.contains(##""c" [label="c\n(boom)\n(failed)", style="rounded,filled", fillcolor="#ffcdd2""##), "\(dot.stdout)")
            #expect(dot.stdout.contains(##""a" -> "b" [label="ok", color="#2e7d32", penwidth=3]"##), "\(dot.stdout)")
            #expect(dot.stdout.contains(##""a" -> "e" [label="other"];"##), "\(dot.stdout)")
            let unknown = try await Self.run(binary, ["graph", "--run", "nope", "--blueprints", directory.path, "--redis", url])
            #expect(unknown.status == 4, "\(unknown.stderr)")
        }
    }

    @Test("the history expires with the state TTL, and old index entries are trimmed")
    func expiresWithTheStateTTL() async throws {
        let queue = Support.uniqueQueue("history-ttl")
        try await Support.withWorker(
            blueprints: [Support.diamond()], registry: Self.diamondRegistry(), queue: queue, stateTTLSeconds: 2
        ) { workflows, client in
            let first = try await workflows.startWorkflow(blueprintID: "diamond")
            _ = try await workflows.result(first, timeout: .seconds(30))
            let history = RedisRunHistory(client: client, queueName: queue)
            #expect(try await history.events(of: first).count == 7)
            let ttl = try await client.send(RedisCommand(["PTTL", DistributedKeys(runID: first).history])).int ?? -1
            #expect(ttl > 0 && ttl <= 2_000, "history TTL \(ttl) ms")
            try await Task.sleep(for: .milliseconds(2_300))
            #expect(try await history.events(of: first).isEmpty)
            #expect(try await history.run(first) == nil)
            #expect(try await history.runs(RunQuery()).runs.isEmpty)
            // The next start past the trim interval drops the expired run's index entries.
            _ = try await client.send(RedisCommand(["DEL", DistributedKeys.historyIndexPrefix + "trim:" + queue]))
            let second = try await workflows.startWorkflow(blueprintID: "diamond")
            _ = try await workflows.result(second, timeout: .seconds(30))
            let members = try await client.send(RedisCommand(["ZRANGE", DistributedKeys.historyStarted(queue: queue), "0", "-1"]))
            #expect(members.array?.compactMap(\.string) == [second], "\(members)")
            let completed = try await client.send(
                RedisCommand(["ZRANGE", DistributedKeys.historyStatus(queue: queue, status: "completed"), "0", "-1"]))
            #expect(completed.array?.compactMap(\.string) == [second], "\(completed)")
        }
    }

    @Test("a long loop keeps its history within the cap (1 000 rounds, cap 100); numbering stays absolute")
    func capBoundsALoop() async throws {
        let loop = WorkflowBlueprint(
            id: "counting",
            nodes: [
                NodeDefinition(id: "begin", uses: "echo"),
                NodeDefinition(id: "count", uses: "inc", config: NodeConfig(joinStrategy: .any)),
                NodeDefinition(
                    id: "poll", uses: "loop-controller",
                    params: ["condition": #"context["n"] < 1000"#, "maxIterations": 2_000]),
                NodeDefinition(id: "end", uses: "echo"),
            ],
            edges: [
                EdgeDefinition(source: "begin", target: "count"), EdgeDefinition(source: "count", target: "poll"),
                EdgeDefinition(source: "poll", target: "count", action: "continue"),
                EdgeDefinition(source: "poll", target: "end", action: "break"),
            ])
        let queue = Support.uniqueQueue("history-cap")
        try await Support.withWorker(
            blueprints: [loop], registry: Self.registry(), queue: queue, history: .on(maximumEventsPerRun: 100)
        ) { workflows, client in
            let runID = try await workflows.startWorkflow(blueprintID: "counting")
            let final = try await workflows.result(runID, timeout: .seconds(300))
            #expect(final.status == .completed, "\(final.json)")
            #expect(final.context["n"] == 1_000)
            let length = try await client.send(RedisCommand(["LLEN", DistributedKeys(runID: runID).history])).int ?? 0
            // Trimmed to the cap once it is passed by a tenth.
            #expect(length >= 100 && length <= 110, "\(length) entries")
            let events = try await RedisRunHistory(client: client, queueName: queue).events(of: runID)
            // start, begin, 1 000 × (count, poll), end, run end.
            #expect(events.last?.sequence == 2_004)
            #expect(events.map(\.sequence) == Array((2_005 - events.count)...2_004))
            let summary = try #require(try await RedisRunHistory(client: client, queueName: queue).run(runID))
            let inspection = RunInspection(summary: summary, events: events)
            #expect(!inspection.historyComplete)
        }
    }

    @Test("a run failed by a refused job ends failed in its history and is listed as failed")
    func refusedJobEndsTheHistory() async throws {
        let queue = Support.uniqueQueue("history-refused")
        let review = WorkflowBlueprint(
            id: "asking", nodes: [NodeDefinition(id: "ask", uses: "wait"), NodeDefinition(id: "done", uses: "echo")],
            edges: [EdgeDefinition(source: "ask", target: "done")])
        try await Support.withWorker(blueprints: [review], registry: Self.registry(), queue: queue) { workflows, client in
            let runID = try await workflows.startWorkflow(blueprintID: "asking")
            _ = try await workflows.result(runID, timeout: .seconds(30), returnWhenAwaiting: true)
            _ = try await Queue(name: queue, client: client).add(
                name: "executeNode", data: ["runId": .string(runID), "blueprintId": "asking", "nodeId": "ghost"])
            let final = try await workflows.result(runID, timeout: .seconds(30), returnWhenAwaiting: false)
            #expect(final.status == .failed, "\(final.json)")
            let history = RedisRunHistory(client: client, queueName: queue)
            let last = try await history.events(of: runID).last
            guard case .runEnded(let end)? = last?.kind else {
                Issue.record("the history does not end with the run's end: \(String(describing: last))")
                return
            }
            #expect(end.status == .failed && end.failedNodeID == "ghost" && end.error?.contains("ghost") == true)
            #expect(try await history.runs(RunQuery(status: .failed)).runs.map(\.runID) == [runID])
        }
    }

    @Test("history off records nothing")
    func off() async throws {
        let queue = Support.uniqueQueue("history-off")
        try await Support.withWorker(
            blueprints: [Support.diamond()], registry: Self.diamondRegistry(), queue: queue, history: .off
        ) { workflows, client in
            let runID = try await workflows.startWorkflow(blueprintID: "diamond")
            _ = try await workflows.result(runID, timeout: .seconds(30))
            let replies = try await client.pipeline([
                RedisCommand(["EXISTS", DistributedKeys(runID: runID).history]),
                RedisCommand(["EXISTS", DistributedKeys.historyStarted(queue: queue)]),
            ])
            #expect(replies.map(\.int) == [0, 0])
        }
    }

    static func diamondRegistry() -> NodeRegistry {
        var registry = NodeRegistry()
        registry.register("noop") { _ in NodeResult() }
        return registry
    }

    /// Runs `flowcraft` to its end (``ChildProcess/run(_:timeout:)``), capturing both streams.
    static func run(_ binary: String, _ arguments: [String]) async throws -> (status: Int32, stdout: String, stderr: String) {
        let outcome = try await ChildProcess.run([binary] + arguments)
        return (outcome.status, outcome.stdout, outcome.stderr)
    }
}

/// The stored encoding round-trips every kind of event.
@Suite("Run history entry encoding")
struct RedisHistoryEntryTests {
    @Test func roundTrips() {
        let kinds: [RunHistoryEvent.Kind] = [
            .runStarted(.init(blueprintID: "b", blueprintVersion: "2", parentRunID: "p", parentNodeID: "n", context: ["k": [1, "x"]])),
            .nodeFinished(.init(
                nodeID: "n", iteration: 3, status: .recovered,
                attempts: [.init(startedAt: 1, endedAt: 2, error: "e"), .init(startedAt: 3, endedAt: 4)], action: "go",
                fallbackNodeID: "f", outputBytes: 12, writes: ["w": true], childRunID: "c", error: "bad",
                errorLocation: SourceLocation(file: "f.yaml", line: 3, column: 5))),
            .nodeFinished(.init(nodeID: "m", status: .completed, attempts: [.init(startedAt: 1, endedAt: 1)])),
            .paused(nodes: ["a", "b"]), .resumed(nodeID: "a", action: nil), .resumed(nodeID: "a", action: "yes"),
            .redriven(nodes: ["x"]), .runEnded(.init(status: .failed, failedNodeID: "n", error: "why")),
            .runEnded(.init(status: .completed)),
        ]
        for (i, kind) in kinds.enumerated() {
            let text = RedisHistoryEntry.encode(kind, time: 1_000 + Int64(i))
            #expect(RedisHistoryEntry.decode(text, sequence: i + 1) == RunHistoryEvent(sequence: i + 1, time: 1_000 + Int64(i), kind: kind), "\(text)")
        }
        #expect(RedisHistoryEntry.decode("{}", sequence: 1) == nil)
        #expect(RedisHistoryEntry.decode("not json", sequence: 1) == nil)
    }
}

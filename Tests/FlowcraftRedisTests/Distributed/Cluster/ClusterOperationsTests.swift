import Foundation
import Flowcraft
@testable import FlowcraftRedis
import Testing

#if canImport(FoundationNetworking)
import FoundationNetworking
#endif

/// Day-2 operations on a real Redis Cluster (three masters, three replicas, one cluster for the
/// suite), on a 4-shard queue served by two workers: the `flowcraft` commands (`start`, `runs`,
/// `inspect`, `graph --run`, `status`, `redrive`, `resume`, `cancel`, `replay`, `reconcile`) run as built, the dashboard served by
/// `flowcraft dashboard` (queues, runs, run detail, actions), and retention (job counts per shard,
/// the TTLs of finished runs' keys, the history cap).
@Suite("Cluster operations (redis+cluster://, 4 shards): CLI, dashboard, retention", .redisCluster, .serialized)
struct ClusterOperationsTests {
    static let layout = QueueLayout.sharded(count: 4)

    static func cluster() throws -> RedisClusterServers { try #require(RedisClusterServers.current) }

    // MARK: - The CLI

    @Test("flowcraft start, runs (pages, status filter), inspect, graph --run, status, redrive, resume, cancel and replay work across the shards")
    func commandLineAcrossShards() async throws {
        let cluster = try Self.cluster()
        let fixture = try ClusterOperationsWorkers()
        let queue = DistributedTestSupport.uniqueQueue("cluster-cli")
        let url = cluster.url
        let source = ["--redis", url, "--queue", queue]
        try await fixture.withWorkers(queue: queue, layout: Self.layout, configuration: try cluster.configuration()) { workflows, _ in
            var diamonds: [String] = []
            for index in 0..<8 {
                diamonds.append(try await workflows.startWorkflow(blueprintID: "ops-diamond", runID: "cli-\(index)"))
            }
            let started = try await ClusterCommandLine.run(
                ["start", "ops-diamond", "--blueprints", fixture.directory, "--run-id", "cli-start"] + source)
            #expect(started.status == 0, "\(started.stderr)")
            let startedID = started.stdout.trimmingCharacters(in: .whitespacesAndNewlines)
            #expect(startedID.hasSuffix("}cli-start") && startedID.hasPrefix("{\(queue)."), "\(startedID)")
            diamonds.append(startedID)
            let failed = try await workflows.startWorkflow(blueprintID: "ops-chain", runID: "cli-failed")
            let paused = try await workflows.startWorkflow(blueprintID: "ops-gate", runID: "cli-paused")
            for runID in diamonds { #expect(try await workflows.result(runID, timeout: .seconds(30)).status == .completed) }
            #expect(try await workflows.result(failed, timeout: .seconds(30)).status == .failed)
            #expect(try await workflows.result(paused, timeout: .seconds(30)).status == .awaiting)
            // `cancel` a paused run by its base id; a second cancel finds it ended, an unknown run exits 4.
            let toCancel = try await workflows.startWorkflow(blueprintID: "ops-gate", runID: "cli-cancel")
            #expect(try await workflows.result(toCancel, timeout: .seconds(30)).status == .awaiting)
            let cancelled = try await ClusterCommandLine.run(["cancel", "cli-cancel", "--reason", "no longer needed"] + source)
            #expect(cancelled.status == 0 && cancelled.stdout.contains(toCancel), "\(cancelled)")
            let cancelledStatus = try await workflows.result(toCancel, timeout: .seconds(30))
            #expect(cancelledStatus.status == .cancelled && cancelledStatus.reason == "no longer needed", "\(cancelledStatus.json)")
            let again = try await ClusterCommandLine.run(["cancel", toCancel] + source)
            #expect(again.status == 1 && again.stderr.contains("already ended (cancelled)"), "\(again)")
            #expect(try await ClusterCommandLine.run(["cancel", "no-such-run"] + source).status == 4)
            let all = diamonds + [failed, paused, toCancel]
            let shards = QueueShards(queueName: queue, layout: Self.layout)
            #expect(Set(all.compactMap(shards.shard(ofRunID:))).count >= 3, "runs on too few shards to show anything")

            // `runs --json` in pages of 3: every run once, newest first across the shards.
            var listed: [RunSummary] = []
            var cursor: String?
            var pages = 0
            repeat {
                let page = try await Self.runsPage(source + ["--limit", "3"] + (cursor.map { ["--cursor", $0] } ?? []))
                #expect(page.runs.count <= 3)
                listed += page.runs
                cursor = page.nextCursor
                pages += 1
            } while cursor != nil && pages < 10
            #expect(listed.map(\.runID).sorted() == all.sorted(), "listed \(listed.map(\.runID))")
            #expect(pages >= 4)
            #expect(listed.map(\.startedAt) == listed.map(\.startedAt).sorted(by: >), "not newest first")
            // Filters.
            #expect(try await Self.runsPage(source + ["--status", "failed"]).runs.map(\.runID) == [failed])
            #expect(try await Self.runsPage(source + ["--status", "waiting"]).runs.map(\.runID) == [paused])
            #expect(try await Self.runsPage(source + ["--status", "completed"]).runs.count == diamonds.count)
            #expect(try await Self.runsPage(source + ["--status", "cancelled"]).runs.map(\.runID) == [toCancel])
            #expect(try await Self.runsPage(source + ["--blueprint", "ops-chain"]).runs.map(\.runID) == [failed])

            // `inspect --json` of the failed run names the node and its YAML line; by full and base id.
            for id in [failed, "cli-failed"] {
                let inspected = try await ClusterCommandLine.run(["inspect", id, "--json"] + source)
                #expect(inspected.status == 0, "\(inspected.stderr)")
                let inspection = try JSONDecoder().decode(RunInspection.self, from: Data(inspected.stdout.utf8))
                #expect(inspection.summary.runID == failed)
                #expect(inspection.summary.failedNodeID == "charge")
                let charge = try #require(inspection.timeline.first { $0.nodeID == "charge" })
                #expect(charge.error?.contains("card declined") == true, "\(charge)")
                #expect(charge.errorLocation?.contains("ops-chain.yaml:\(ClusterOperationsWorkers.chargeLine):") == true,
                        "\(charge.errorLocation ?? "no location")")
            }
            // `graph --run` draws the run's node states.
            let graph = try await ClusterCommandLine.run(
                ["graph", fixture.directory, "--blueprint", "ops-chain", "--run", failed] + source)
            #expect(graph.status == 0, "\(graph.stderr)")
            #expect(graph.stdout.contains("charge") && graph.stdout.contains("fetch"), "\(graph.stdout)")
            // `status`: failed exits 1 with its JSON; an unknown run exits 4.
            let failedStatus = try await ClusterCommandLine.run(["status", failed] + source)
            #expect(failedStatus.status == 1 && failedStatus.stdout.contains("\"status\":\"failed\""), "\(failedStatus)")
            let unknown = try await ClusterCommandLine.run(["status", "no-such-run"] + source)
            #expect(unknown.status == 4, "\(unknown)")

            // `redrive` completes the failed run (its node succeeds the second time).
            let redriven = try await ClusterCommandLine.run(["redrive", failed, "--blueprints", fixture.directory] + source)
            #expect(redriven.status == 0, "\(redriven.stderr)")
            let afterRedrive = try await ClusterCommandLine.run(["status", "cli-failed", "--wait", "30"] + source)
            #expect(afterRedrive.status == 0 && afterRedrive.stdout.contains("\"status\":\"completed\""), "\(afterRedrive)")
            // `resume` the paused one (by its base id).
            let waiting = try await ClusterCommandLine.run(["status", paused, "--blueprints", fixture.directory] + source)
            #expect(waiting.stdout.contains("\"waitingOn\""), "\(waiting)")
            let resumed = try await ClusterCommandLine.run(
                ["resume", "cli-paused", "--node", "ask", "--output", "\"yes\"", "--blueprints", fixture.directory] + source)
            #expect(resumed.status == 0, "\(resumed.stderr)")
            let afterResume = try await ClusterCommandLine.run(["status", paused, "--wait", "30"] + source)
            #expect(afterResume.status == 0 && afterResume.stdout.contains("\"status\":\"completed\""), "\(afterResume)")
            #expect(try await Self.runsPage(source + ["--status", "completed"]).runs.count == all.count - 1)
            // `replay` rebuilds the resumed run's context from its history.
            let replay = try await ClusterCommandLine.run(["replay", "cli-paused", "--json"] + source)
            #expect(replay.status == 0 && replay.stdout.contains("\"complete\" : true"), "\(replay)")
            #expect(replay.stdout.contains("\"after\""), "\(replay.stdout)")
        }
    }

    @Test("flowcraft reconcile walks every shard's active-run index: runs whose start jobs were lost on three shards are re-enqueued and complete")
    func reconcileAcrossShards() async throws {
        let cluster = try Self.cluster()
        let fixture = try ClusterOperationsWorkers()
        let queue = DistributedTestSupport.uniqueQueue("cluster-reconcile")
        let shards = QueueShards(queueName: queue, layout: Self.layout)
        let client = RedisClient(configuration: try cluster.configuration())
        var lost: [String] = []
        do {
            var options = DistributedOptions(queueName: queue)
            options.layout = Self.layout
            options = try await options.withRecordedLayout(client: client)
            let workflows = WorkflowClient(client: client, catalog: try BlueprintCatalog(fixture.blueprints), options: options)
            // No worker yet: each start job waits on its shard; then it is lost, and the run's
            // activity is backdated so that it counts as stalled.
            var used: Set<Int> = []
            while lost.count < 3 {
                let runID = try await workflows.startWorkflow(
                    blueprintID: "ops-diamond", runID: ClusterOperationsWorkers.baseID("lost-\(lost.count)", shards: shards, notOn: used))
                let shard = try #require(shards.shard(ofRunID: runID))
                used.insert(shard)
                let keys = QueueKeys(prefix: "bull", queueName: shards.queueName(ofShard: shard))
                let jobID = NodeJobData(runID: runID, blueprintID: "ops-diamond", nodeID: "a").jobID
                #expect(try await client.send(["LREM", keys.wait, "0", jobID]).int == 1)
                _ = try await client.send(["DEL", keys.job(jobID)])
                _ = try await client.send(["ZADD", DistributedKeys.activeRuns(queue: shards.queueName(ofShard: shard)), "1", runID])
                lost.append(runID)
            }
        } catch {
            await client.close()
            throw error
        }
        await client.close()
        let reconciled = try await ClusterCommandLine.run(
            ["reconcile", "--blueprints", fixture.directory, "--stalled-threshold", "60", "--redis", cluster.url, "--queue", queue])
        #expect(reconciled.status == 0, "\(reconciled.stderr)")
        #expect(reconciled.stdout.contains("\"reconciledRuns\":3") && reconciled.stdout.contains("\"failedRuns\":0"), "\(reconciled.stdout)")
        let lostRuns = lost
        try await fixture.withWorkers(queue: queue, layout: Self.layout, configuration: try cluster.configuration()) { workflows, _ async throws in
            for runID in lostRuns {
                let final = try await workflows.result(runID, timeout: .seconds(30))
                #expect(final.status == .completed, "\(runID)")
            }
        }
        let again = try await ClusterCommandLine.run(
            ["reconcile", "--blueprints", fixture.directory, "--stalled-threshold", "0", "--redis", cluster.url, "--queue", queue])
        #expect(again.stdout.contains("\"reconciledRuns\":0") && again.stdout.contains("\"failedRuns\":0"), "\(again.stdout)")
    }

    struct RunsPage: Decodable {
        var runs: [RunSummary]
        var nextCursor: String?
    }

    static func runsPage(_ arguments: [String]) async throws -> RunsPage {
        let outcome = try await ClusterCommandLine.run(["runs", "--json"] + arguments)
        #expect(outcome.status == 0, "flowcraft runs \(arguments): \(outcome.stderr)")
        return try JSONDecoder().decode(RunsPage.self, from: Data(outcome.stdout.utf8))
    }
}

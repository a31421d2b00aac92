import Foundation
import Flowcraft
@testable import FlowcraftRedis
import Testing

/// Retention on the cluster: each shard queue keeps its own completed jobs within the worker's
/// `removeOnComplete` count, finished runs' state and history keys expire within the state TTL
/// (read with `TTL` through the cluster client, so on each key's own master), and a long loop keeps
/// its history list within the cap.
extension ClusterOperationsTests {
    @Test("removeOnComplete N holds per shard queue; finished runs' state and history keys carry a TTL ≤ stateTTL on their masters; the history cap holds for a long loop")
    func retentionPerShard() async throws {
        let cluster = try Self.cluster()
        let fixture = try ClusterOperationsWorkers()
        let queue = DistributedTestSupport.uniqueQueue("cluster-retention")
        let shards = QueueShards(queueName: queue, layout: Self.layout)
        let keep = 5
        let ttl = 300
        let cap = 40
        let rounds = 60
        let loop = WorkflowBlueprint(
            id: "ops-loop",
            nodes: [
                NodeDefinition(id: "begin", uses: "noop"),
                NodeDefinition(id: "count", uses: "inc", config: NodeConfig(joinStrategy: .any)),
                NodeDefinition(
                    id: "poll", uses: "loop-controller",
                    params: ["condition": .string(#"context["n"] < \#(rounds)"#), "maxIterations": .int(rounds + 1)]),
                NodeDefinition(id: "end", uses: "noop"),
            ],
            edges: [
                EdgeDefinition(source: "begin", target: "count"), EdgeDefinition(source: "count", target: "poll"),
                EdgeDefinition(source: "poll", target: "count", action: "continue"),
                EdgeDefinition(source: "poll", target: "end", action: "break"),
            ])
        var registry = ClusterOperationsWorkers.registry()
        registry.register("inc") { ctx in
            let n = (try await ctx.state.get("n"))?.intValue ?? 0
            try await ctx.state.set("n", .int(n + 1))
            return NodeResult()
        }
        try await fixture.withWorkers(
            queue: queue, layout: Self.layout, configuration: try cluster.configuration(), registry: registry,
            blueprints: [loop], stateTTLSeconds: ttl, history: .on(maximumEventsPerRun: cap), removeOnComplete: .keepCount(keep)
        ) { workflows, client in
            var runs: [String] = []
            for index in 0..<24 {
                runs.append(try await workflows.startWorkflow(blueprintID: "ops-diamond", runID: "keep-\(index)"))
            }
            let looping = try await workflows.startWorkflow(blueprintID: "ops-loop", runID: "keep-loop")
            for runID in runs { #expect(try await workflows.result(runID, timeout: .seconds(30)).status == .completed) }
            let final = try await workflows.result(looping, timeout: .seconds(120))
            #expect(final.status == .completed && final.context["n"] == .int(rounds), "\(final.json)")
            runs.append(looping)
            #expect(Set(runs.compactMap(shards.shard(ofRunID:))).count == shards.count)

            // Each shard queue trims its own completed set (24 × 4 diamond jobs + the loop's 120 spread over 4).
            for name in shards.queueNames {
                let completed = try await client.send(["ZCARD", "bull:\(name):completed"]).int ?? -1
                #expect(completed >= 1 && completed <= keep, "\(name): \(completed) completed jobs kept (removeOnComplete \(keep))")
            }
            // Finished runs' keys expire within the state TTL (TTL -1 would mean kept forever, -2 missing).
            for runID in runs {
                let keys = DistributedKeys(runID: runID)
                for key in [keys.state, keys.status, keys.history] {
                    let remaining = try await client.send(["TTL", key]).int ?? -3
                    #expect(remaining > 0 && remaining <= ttl, "TTL \(key) = \(remaining)")
                }
            }
            // The loop's history list stays within the cap (+10 %), ending with the run's end.
            let length = try await client.send(["LLEN", DistributedKeys(runID: looping).history]).int ?? 0
            #expect(length >= cap && length <= cap + cap / 10, "\(length) history entries, cap \(cap)")
            let history = RedisRunHistory(client: client, queueName: queue, layout: Self.layout)
            let events = try await history.events(of: looping)
            #expect(events.last?.sequence == 2 * rounds + 4)
            let summary = try #require(try await history.run(looping))
            #expect(summary.status == .completed)
        }
    }

    @Test("removeOnComplete by age and removeOnFail by count hold per shard queue")
    func ageAndFailedRetentionPerShard() async throws {
        let cluster = try Self.cluster()
        let fixture = try ClusterOperationsWorkers()
        let queue = DistributedTestSupport.uniqueQueue("cluster-retention-age")
        let shards = QueueShards(queueName: queue, layout: Self.layout)
        let keepFailed = 2
        try await fixture.withWorkers(
            queue: queue, layout: Self.layout, configuration: try cluster.configuration(),
            removeOnComplete: .keep(age: 1, count: nil), removeOnFail: .keepCount(keepFailed)
        ) { workflows, client in
            // Failing runs (their first charge fails) on every shard: each shard keeps 2 failed jobs at most.
            var failed: [String] = []
            for index in 0..<16 { failed.append(try await workflows.startWorkflow(blueprintID: "ops-chain", runID: "fail-\(index)")) }
            for runID in failed { #expect(try await workflows.result(runID, timeout: .seconds(30)).status == .failed) }
            #expect(Set(failed.compactMap(shards.shard(ofRunID:))).count == shards.count)
            for name in shards.queueNames {
                let kept = try await client.send(["ZCARD", "bull:\(name):failed"]).int ?? -1
                #expect(kept >= 1 && kept <= keepFailed, "\(name): \(kept) failed jobs kept (removeOnFail \(keepFailed))")
            }
            // Completed jobs older than 1 s go when a later job of the same shard completes.
            var early: [String] = []
            for index in 0..<16 { early.append(try await workflows.startWorkflow(blueprintID: "ops-diamond", runID: "early-\(index)")) }
            for runID in early { #expect(try await workflows.result(runID, timeout: .seconds(30)).status == .completed) }
            try await Task.sleep(for: .milliseconds(2_100))
            var late: [Int: String] = [:]
            var index = 0
            while late.count < shards.count {
                let id = "late-\(index)"
                late[shards.shard(ofBaseID: id)] = late[shards.shard(ofBaseID: id)] ?? id
                index += 1
            }
            for id in late.values {
                let runID = try await workflows.startWorkflow(blueprintID: "ops-diamond", runID: id)
                #expect(try await workflows.result(runID, timeout: .seconds(30)).status == .completed)
            }
            // Each shard kept its late run's jobs and dropped every early run's (finished > 2 s before).
            let earlyJobs = Set(early.flatMap { runID in
                ["a", "b", "c", "d"].map { NodeJobData(runID: runID, blueprintID: "ops-diamond", nodeID: $0).jobID }
            })
            for name in shards.queueNames {
                let kept = (try await client.send(["ZRANGE", "bull:\(name):completed", "0", "-1"]).array ?? []).compactMap(\.string)
                #expect(!kept.isEmpty, "\(name): no completed job kept")
                let stale = kept.filter(earlyJobs.contains)
                #expect(stale.isEmpty, "\(name): jobs finished over 2 s ago still kept (removeOnComplete age 1 s): \(stale.prefix(3))")
            }
        }
    }
}

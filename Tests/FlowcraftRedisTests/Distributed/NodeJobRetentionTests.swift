import Foundation
import Flowcraft
@testable import FlowcraftRedis
import Testing

/// Item 1 of "Production deployment": node jobs of the distributed engine get a default retention
/// (count per queue and the state TTL as age) applied by the worker to every job of the workflow
/// queue without its own `removeOnComplete`/`removeOnFail`, start jobs added by a plain BullMQ
/// client included; the plain `Queue`/`Worker` keep BullMQ's defaults (every job kept).
@Suite("Node job retention", .requiresRedis)
struct NodeJobRetentionTests {
    static func registry() -> NodeRegistry {
        var registry = NodeRegistry()
        registry.register("noop") { _ in NodeResult() }
        return registry
    }

    /// Runs `body` with a distributed worker whose engine options are `options`.
    static func withWorker<T: Sendable>(
        _ options: DistributedOptions, blueprints: [WorkflowBlueprint],
        _ body: @Sendable (WorkflowClient, RedisClient) async throws -> T
    ) async throws -> T {
        let client = try TestRedis.client()
        let worker = try DistributedWorker(
            blueprints: blueprints, registry: registry(), client: client, options: options,
            workerOptions: WorkerOptions(concurrency: 16, drainDelay: 0.2))
        worker.start()
        let workflows = try WorkflowClient(client: client, blueprints: blueprints, options: options)
        do {
            let value = try await body(workflows, client)
            await worker.close()
            await client.close()
            return value
        } catch {
            await worker.close()
            await client.close()
            throw error
        }
    }

    @Test("the engine's defaults: 1 000 completed and 10 000 failed jobs, none older than the state TTL; 'all' and TTL 0 keep everything")
    func defaults() {
        let options = DistributedOptions(stateTTLSeconds: 3_600)
        #expect(options.completedJobRetention == .keep(age: 3_600, count: 1_000))
        #expect(options.failedJobRetention == .keep(age: 3_600, count: 10_000))
        var keepAll = DistributedOptions(stateTTLSeconds: 0)
        keepAll.keepCompletedJobs = nil
        keepAll.keepFailedJobs = nil
        #expect(keepAll.completedJobRetention == .keepAll)
        // A worker option set by the caller wins over the engine's default.
        let chosen = options.applyingJobRetention(to: WorkerOptions(removeOnComplete: .keepAll))
        #expect(chosen.removeOnComplete == .keepAll)
        #expect(chosen.removeOnFail == .keep(age: 3_600, count: 10_000))
    }

    @Test("node jobs and a start job added raw by a BullMQ-style client are removed by the default retention; a job with its own removeOnComplete keeps it")
    func retentionCoversEveryJobOfTheQueue() async throws {
        let queueName = DistributedTestSupport.uniqueQueue("retention")
        var options = DistributedOptions(queueName: queueName, stateTTLSeconds: 600)
        options.keepCompletedJobs = 0
        let blueprint = DistributedTestSupport.diamond(id: "retained")
        let single = WorkflowBlueprint(id: "single", nodes: [NodeDefinition(id: "only", uses: "noop")], edges: [])
        try await Self.withWorker(options, blueprints: [blueprint, single]) { workflows, client in
            let runID = try await workflows.startWorkflow(blueprintID: "retained")
            #expect(try await workflows.result(runID, timeout: .seconds(30)).status == .completed)
            let queue = try Queue(name: queueName, client: client)
            // Every node job was removed as it completed (keep 0).
            #expect(try await queue.getJobCounts().completed == 0)

            // The seed's client: HSET of the context, then a start job with no options of its own.
            let rawRun = UUID().uuidString
            _ = try await client.send(["HSET", "workflow:state:\(rawRun)", "seeded", "\"yes\""])
            let rawJob = try await queue.add(
                name: "executeNode", data: ["runId": .string(rawRun), "blueprintId": "single", "nodeId": "only"])
            // A job that carries its own removeOnComplete keeps it.
            let ownRun = UUID().uuidString
            _ = try await client.send(["HSET", "workflow:state:\(ownRun)", "seeded", "\"yes\""])
            let ownJob = try await queue.add(
                name: "executeNode", data: ["runId": .string(ownRun), "blueprintId": "single", "nodeId": "only"],
                options: JobOptions(removeOnComplete: .keepCount(100)))
            #expect(try await workflows.result(rawRun, timeout: .seconds(30)).status == .completed)
            #expect(try await workflows.result(ownRun, timeout: .seconds(30)).status == .completed)
            #expect(try await client.send(["EXISTS", "bull:\(queueName):\(rawJob)"]).int == 0, "the raw start job is removed")
            #expect(try await queue.getState(ownJob) == .completed, "the job with its own removeOnComplete is kept")
        }
    }

    @Test("a failed node job is kept up to keepFailedJobs with the state TTL as its age")
    func failedJobsAreKept() async throws {
        let queueName = DistributedTestSupport.uniqueQueue("retention-failed")
        let options = DistributedOptions(queueName: queueName, stateTTLSeconds: 600)
        let failing = WorkflowBlueprint(id: "failing", nodes: [NodeDefinition(id: "boom", uses: "missing")], edges: [])
        try await Self.withWorker(options, blueprints: [failing]) { workflows, client in
            let runID = try await workflows.startWorkflow(blueprintID: "failing")
            #expect(try await workflows.result(runID, timeout: .seconds(30)).status == .failed)
            let queue = try Queue(name: queueName, client: client)
            // The run's failure is committed first; the worker moves the job to the failed set in
            // its next call (a round trip later), so the result can be read before that.
            let deadline = ContinuousClock.now + .seconds(10)
            while try await queue.getJobCounts().failed == 0, ContinuousClock.now < deadline {
                try await Task.sleep(for: .milliseconds(20))
            }
            #expect(try await queue.getJobCounts().failed == 1)
        }
    }

    @Test("the plain Queue/Worker keep BullMQ's defaults: every finished job is kept")
    func plainWorkerKeepsEverything() async throws {
        let client = try TestRedis.client()
        let queueName = DistributedTestSupport.uniqueQueue("plain")
        let queue = try Queue(name: queueName, client: client)
        let worker = try Worker(queueName: queueName, client: client, options: WorkerOptions(drainDelay: 0.2)) { _ in "ok" }
        let task = Task { try await worker.run() }
        var ids: [String] = []
        for i in 0..<5 { ids.append(try await queue.add(name: "plain", data: .int(i))) }
        for _ in 0..<300 where try await queue.getJobCounts().completed < 5 { try await Task.sleep(for: .milliseconds(20)) }
        await worker.close()
        _ = try? await task.value
        #expect(try await queue.getJobCounts().completed == 5)
        for id in ids { #expect(try await queue.getState(id) == .completed) }
        await client.close()
    }

    /// The keys this test made, split into the queue's (job hashes and the queue's own keys) and the
    /// runs' (state, run, done and status keys); the shared test Redis serves other tests at the same
    /// time, so `DBSIZE` would count theirs.
    static func keyCount(queue: String, runIDs: [String], client: RedisClient) async throws -> (queue: Int, runs: Int) {
        var queueKeys = 0
        var cursor = "0"
        repeat {
            let reply = try await client.send(["SCAN", cursor, "MATCH", "bull:\(queue):*", "COUNT", "1000"])
            let items = reply.array ?? []
            cursor = items.first?.string ?? "0"
            queueKeys += items.count > 1 ? (items[1].array?.count ?? 0) : 0
        } while cursor != "0"
        var runKeys = 0
        for chunk in stride(from: 0, to: runIDs.count, by: 500) {
            var command = ["EXISTS"]
            for runID in runIDs[chunk..<min(chunk + 500, runIDs.count)] {
                let keys = DistributedKeys(runID: runID)
                command += [keys.state, keys.run, keys.done, "workflow:status:\(runID)"]
            }
            runKeys += try await client.send(RedisCommand(command)).int ?? 0
        }
        return (queueKeys, runKeys)
    }

    @Test("retention bounds the key count across a long run (after 1 000, 2 000 and 3 000 runs; keep 100, state TTL 1 s): no run keys left, at most 100 job hashes")
    func keyCountStaysFlat() async throws {
        let queueName = DistributedTestSupport.uniqueQueue("flat")
        var options = DistributedOptions(queueName: queueName, stateTTLSeconds: 1)
        options.keepCompletedJobs = 100
        let blueprint = DistributedTestSupport.diamond(id: "flat")
        try await Self.withWorker(options, blueprints: [blueprint]) { workflows, client in
            var runIDs: [String] = []
            var counts: [(queue: Int, runs: Int)] = []
            for _ in 0..<3 {
                var batch: [String] = []
                for _ in 0..<1_000 { batch.append(try await workflows.startWorkflow(blueprintID: "flat")) }
                // (The status keys expire a second after each run ends: wait on the active-runs index.)
                let deadline = ContinuousClock.now + .seconds(120)
                while try await client.send(["ZCARD", "flowcraft:runs:active:\(queueName)"]).int ?? 0 > 0 {
                    try #require(ContinuousClock.now < deadline, "runs did not finish")
                    try await Task.sleep(for: .milliseconds(50))
                }
                runIDs += batch
                // Past the state TTL: finished runs' keys have expired.
                try await Task.sleep(for: .milliseconds(1_500))
                counts.append(try await Self.keyCount(queue: queueName, runIDs: runIDs, client: client))
            }
            #expect(try await Queue(name: queueName, client: client).getJobCounts().failed == 0)
            // Every finished run's keys are gone, and the queue holds at most the 100 kept job hashes
            // plus its own few keys, after 1 000 runs as after 3 000. (How many of the 100 remain
            // depends on how many jobs finished in the last second, the age limit, so only the bound
            // is asserted.)
            let description = "keys (queue, runs) after 1 000, 2 000 and 3 000 runs: \(counts)"
            #expect(counts.allSatisfy { $0.runs == 0 }, "\(description)")
            #expect(counts.allSatisfy { $0.queue <= 100 + 10 }, "\(description)")
        }
    }
}

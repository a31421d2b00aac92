import Foundation
import Flowcraft
@testable import FlowcraftRedis
import Synchronization
import Testing

/// Jobs a worker refuses: a job that fails for good before its node could commit ends its run
/// `failed` with the reason; a job that names a run that does not exist and cannot start it leaves
/// nothing behind; run ids the workers refuse are refused by `startWorkflow` too; job ids of distinct
/// runs never collide. The worker keeps running after each.
@Suite("Rejected jobs", .requiresRedis)
struct RejectedJobTests {
    /// a → b → c, version "1".
    static let blueprint = WorkflowBlueprint(
        id: "rejected", version: "1",
        nodes: ["a", "b", "c"].map { NodeDefinition(id: $0, uses: "noop") },
        edges: [EdgeDefinition(source: "a", target: "b"), EdgeDefinition(source: "b", target: "c")])

    static var registry: NodeRegistry {
        var registry = NodeRegistry()
        registry.register("noop") { ctx in
            try await Task.sleep(for: .milliseconds(5))
            return NodeResult(output: .string("out-\(ctx.nodeID)"))
        }
        return registry
    }

    static func uniqueRunID(_ name: String) -> String { "rj-\(name)-\(UUID().uuidString.prefix(8))" }

    /// Adds a job as a BullMQ client would (an auto id) and returns its id.
    static func enqueue(_ client: RedisClient, queue: String, _ data: JSONValue) async throws -> String {
        try await Queue(name: queue, client: client).add(name: "executeNode", data: data)
    }

    /// Waits until job `id` failed and returns its reason.
    static func failure(of id: String, client: RedisClient, queue: String) async throws -> String? {
        let q = try Queue(name: queue, client: client)
        for _ in 0..<1500 {
            if let job = try await q.getJob(id), job.finishedOn != nil {
                #expect(try await q.getState(id) == .failed, "job \(id) did not fail: \(job.returnValueText ?? "")")
                return job.failedReason
            }
            try await Task.sleep(for: .milliseconds(10))
        }
        Issue.record("job \(id) never finished")
        return nil
    }

    /// Every key of `runID`: absent or expiring (`TTL` ≠ -1), and the run is not in the active index.
    static func expectNothingLeftRunning(_ runID: String, client: RedisClient, queue: String) async throws {
        let keys = DistributedKeys(runID: runID)
        for key in keys.scriptKeys(queue: queue).filter({ $0 != DistributedKeys.activeRuns(queue: queue) }) {
            let ttl = try await client.send(RedisCommand(["TTL", key])).int
            #expect(ttl != -1, "key '\(key)' of run '\(runID.prefix(40))' has no expiry")
        }
        let score = try await client.send(RedisCommand(["ZSCORE", DistributedKeys.activeRuns(queue: queue), runID]))
        #expect(score.isNull, "run '\(runID.prefix(40))' is still in the active-runs index")
        let status = try await client.send(RedisCommand(["HGET", keys.run, "status"])).string
        #expect(status != "running" && status != "awaiting", "run '\(runID.prefix(40))' shows \(status ?? "")")
    }

    /// The worker still runs: a fresh run completes.
    static func expectWorkerAlive(_ workflows: WorkflowClient) async throws {
        let runID = try await workflows.startWorkflow(blueprintID: "rejected")
        #expect(try await workflows.result(runID, timeout: TestTiming.seconds(20)).status == .completed)
    }

    // MARK: - Item 11: a job that fails before its node could commit ends its run

    @Test("a run whose state names a version no live worker has ends failed after the bounded wait, naming both versions")
    func unknownVersionFailsRun() async throws {
        let queue = DistributedTestSupport.uniqueQueue("rj-version")
        let deploy = RollingDeployOptions(handBackDelay: .milliseconds(50), missingBlueprintTimeout: .milliseconds(500))
        try await DistributedTestSupport.withWorker(
            blueprints: [Self.blueprint], registry: Self.registry, queue: queue, rollingDeploy: deploy
        ) { workflows, client in
            let runID = Self.uniqueRunID("version")
            _ = try await client.send(RedisCommand(["HSET", DistributedKeys(runID: runID).state, "blueprintVersion", "\"9\""]))
            let job = try await Self.enqueue(client, queue: queue, ["runId": .string(runID), "blueprintId": "rejected", "nodeId": "a"])
            let status = try await workflows.result(runID, timeout: TestTiming.seconds(20))
            #expect(status.status == .failed)
            #expect(status.reason?.contains("'9'") == true && status.reason?.contains("'1'") == true, "\(status.reason ?? "")")
            #expect(status.nodeID == "a")
            let reason = try await Self.failure(of: job, client: client, queue: queue)
            #expect(reason?.contains("'9'") == true, "\(reason ?? "")")
            try await Self.expectNothingLeftRunning(runID, client: client, queue: queue)
            try await Self.expectWorkerAlive(workflows)
        }
    }

    @Test("a run key of the wrong Redis type ends the run failed, naming the key", arguments: ["state", "run", "pending"])
    func wrongTypeKeyFailsRun(_ which: String) async throws {
        let queue = DistributedTestSupport.uniqueQueue("rj-type")
        let recorder = DistributedEventTests.Recorder()
        try await DistributedTestSupport.withWorker(
            blueprints: [Self.blueprint], registry: Self.registry, queue: queue, eventHandler: recorder.handler
        ) { workflows, client in
            let runID = Self.uniqueRunID("type-\(which)")
            let keys = DistributedKeys(runID: runID)
            let key = ["state": keys.state, "run": keys.run, "pending": keys.pending][which] ?? keys.state
            _ = try await client.send(RedisCommand(["SET", key, "not what the engine writes"]))
            let job = try await Self.enqueue(client, queue: queue, ["runId": .string(runID), "blueprintId": "rejected", "nodeId": "a"])
            let status = try await workflows.result(runID, timeout: TestTiming.seconds(20))
            #expect(status.status == .failed)
            #expect(status.reason?.contains(key) == true && status.reason?.contains("WRONGTYPE") == true, "\(status.reason ?? "")")
            let reason = try await Self.failure(of: job, client: client, queue: queue)
            #expect(reason?.contains("wrong Redis type") == true, "\(reason ?? "")")
            // The node's failure is reported (no attempt reported it), then the run's end.
            #expect(Self.errorThenFinish(recorder, runID: runID, nodeID: "a"), "\(recorder.types)")
            try await Self.expectNothingLeftRunning(runID, client: client, queue: queue)
            try await Self.expectWorkerAlive(workflows)
        }
    }

    /// Whether `runID`'s events hold one `node:error` of `nodeID` (attempt 1, no retry) and, after it,
    /// one failed `workflow:finish`.
    static func errorThenFinish(_ recorder: DistributedEventTests.Recorder, runID: String, nodeID: String) -> Bool {
        let events = recorder.events.withLock { $0.filter { $0.runID == runID } }
        let errors = events.indices.filter { events[$0].type == .nodeError && events[$0].nodeID == nodeID }
        let finishes = events.indices.filter { events[$0].type == .workflowFinish }
        guard errors.count == 1, finishes.count == 1, let e = errors.first, let f = finishes.first else { return false }
        return e < f && events[e].payload["willRetry"] == false && events[e].payload["attempt"] == 1
            && events[f].payload["status"] == "failed"
    }

    /// Held open by the test: node `gate` runs until ``release()``.
    final class Gate: Sendable {
        private let state = Mutex((started: false, released: false))
        var started: Bool { state.withLock { $0.started } }
        func release() { state.withLock { $0.released = true } }
        func pass() async throws {
            state.withLock { $0.started = true }
            for _ in 0..<2_000 where !state.withLock({ $0.released }) { try await Task.sleep(for: .milliseconds(5)) }
        }
    }

    /// A run key set to the wrong Redis type while a node runs (found by review): the commit, run in the
    /// job's finish call, failed mid-script after its first writes; the worker retried the call, which
    /// found the node already committed and completed the job as a duplicate — nothing pending, nothing
    /// enqueued, the run `running` for ever (`reconcile` saw nothing lost). The finish call now ends the
    /// run `failed`, naming the key, and fails the job.
    @Test("a run key changed to the wrong Redis type while its node runs ends the run failed at the commit, naming the key",
        arguments: ["state", "history"])
    func wrongTypeKeyMidRunFailsRun(_ which: String) async throws {
        let queue = DistributedTestSupport.uniqueQueue("rj-midtype")
        let recorder = DistributedEventTests.Recorder()
        let gate = Gate()
        let blueprint = WorkflowBlueprint(
            id: "gated", version: "1",
            nodes: [NodeDefinition(id: "gate", uses: "gate"), NodeDefinition(id: "next", uses: "noop")],
            edges: [EdgeDefinition(source: "gate", target: "next")])
        var registry = Self.registry
        registry.register("gate") { _ in
            try await gate.pass()
            return NodeResult(output: "passed")
        }
        try await DistributedTestSupport.withWorker(
            blueprints: [blueprint, Self.blueprint], registry: registry, queue: queue, eventHandler: recorder.handler
        ) { workflows, client in
            let runID = try await workflows.startWorkflow(blueprintID: "gated")
            for _ in 0..<2_000 where !gate.started { try await Task.sleep(for: .milliseconds(5)) }
            #expect(gate.started, "the gate node never started")
            let keys = DistributedKeys(runID: runID)
            let key = which == "state" ? keys.state : keys.history
            _ = try await client.send(RedisCommand(["DEL", key]))
            _ = try await client.send(RedisCommand(["SET", key, "not what the engine writes"]))
            gate.release()
            let status = try await workflows.result(runID, timeout: TestTiming.seconds(20))
            #expect(status.status == .failed, "\(status.status): \(status.reason ?? "")")
            #expect(status.reason?.contains("'\(key)' (string, not") == true, "\(status.reason ?? "")")
            #expect(status.reason?.contains("wrong Redis type") == true, "\(status.reason ?? "")")
            #expect(status.nodeID == "gate")
            // The worker emits them once the failed finish call returned, which can be after the
            // client read the run's status.
            let reported = try await DistributedSubflowTests.eventually {
                Self.errorThenFinish(recorder, runID: runID, nodeID: "gate")
            }
            #expect(reported, "\(recorder.types)")
            try await Self.expectNothingLeftRunning(runID, client: client, queue: queue)
            try await Self.expectWorkerAlive(workflows)
        }
    }

    @Test("a 10 KB run id is refused by startWorkflow and, enqueued raw, fails its job and leaves nothing running")
    func oversizedRunID() async throws {
        let queue = DistributedTestSupport.uniqueQueue("rj-long")
        try await DistributedTestSupport.withWorker(blueprints: [Self.blueprint], registry: Self.registry, queue: queue) { workflows, client in
            let runID = Self.uniqueRunID("long") + String(repeating: "x", count: 10_000)
            await #expect {
                try await workflows.startWorkflow(blueprintID: "rejected", runID: runID)
            } throws: { error in
                "\(error)".contains("\(RunIdentifier.maximumLength) bytes")
            }
            #expect(try await client.send(RedisCommand(["EXISTS", DistributedKeys(runID: runID).state, DistributedKeys(runID: runID).run])).int == 0)
            // A BullMQ-style client writes its state and job anyway.
            _ = try await client.send(RedisCommand(["HSET", DistributedKeys(runID: runID).state, "x", "1"]))
            _ = try await client.send(RedisCommand(["EXPIRE", DistributedKeys(runID: runID).state, "600"]))
            let job = try await Self.enqueue(client, queue: queue, ["runId": .string(runID), "blueprintId": "rejected", "nodeId": "a"])
            let reason = try await Self.failure(of: job, client: client, queue: queue)
            #expect(reason?.contains("runId") == true, "\(reason ?? "")")
            try await Self.expectNothingLeftRunning(runID, client: client, queue: queue)
            await #expect(throws: DistributedError.self) { try await workflows.status(runID) }
            try await Self.expectWorkerAlive(workflows)
        }
    }

    // MARK: - Item 12: distinct run ids never collide

    @Test("runs k:1 (from a BullMQ client), k_1 and k%3A1 run at once and all complete")
    func colonRunIDsDoNotCollide() async throws {
        let queue = DistributedTestSupport.uniqueQueue("rj-colon")
        try await DistributedTestSupport.withWorker(blueprints: [Self.blueprint], registry: Self.registry, queue: queue) { workflows, client in
            let base = Self.uniqueRunID("k")
            let colon = base + ":1"
            _ = try await client.send(RedisCommand(["HSET", DistributedKeys(runID: colon).state, "from", "bullmq"]))
            _ = try await Self.enqueue(client, queue: queue, ["runId": .string(colon), "blueprintId": "rejected", "nodeId": "a"])
            let underscore = try await workflows.startWorkflow(blueprintID: "rejected", runID: base + "_1")
            let escaped = try await workflows.startWorkflow(blueprintID: "rejected", runID: base + "%3A1")
            let startedColon = try await workflows.startWorkflow(blueprintID: "rejected", runID: base + ":2")
            for runID in [colon, underscore, escaped, startedColon] {
                let status = try await workflows.result(runID, timeout: TestTiming.seconds(20))
                #expect(status.status == .completed, "run \(runID): \(status.status) \(status.reason ?? "")")
                #expect(status.context["_outputs.c"] == "out-c", "run \(runID)")
            }
        }
    }

    // MARK: - Item 14: jobs the worker rejects leave nothing behind

    @Test("bogus jobs for a run that does not exist fail and leave no key without expiry", arguments: [
        "non-start node", "fake dynamic node", "huge iteration", "iteration past the numbering", "fallback", "batch worker", "unknown node",
    ])
    func bogusJobsLeaveNothing(_ kind: String) async throws {
        let queue = DistributedTestSupport.uniqueQueue("rj-bogus")
        try await DistributedTestSupport.withWorker(blueprints: [Self.blueprint], registry: Self.registry, queue: queue) { workflows, client in
            let runID = Self.uniqueRunID("bogus")
            var data: [String: JSONValue] = ["runId": .string(runID), "blueprintId": "rejected", "nodeId": "a"]
            switch kind {
            case "non-start node": data["nodeId"] = "b"
            case "fake dynamic node":
                data["nodeId"] = "x"
                data["dynamicOf"] = "a"
                data["dynamicCount"] = 1
                data["dynamicNode"] = ["id": "x", "uses": "noop"]
            case "huge iteration": data["iteration"] = .int(1 << 40)
            case "iteration past the numbering": data["iteration"] = .int(Int.max)
            case "fallback": data["fallbackFor"] = "b"
            case "batch worker":
                data["batchOf"] = "a"
                data["batchIndex"] = 0
                data["batchCount"] = 1
            default: data["nodeId"] = "nowhere"
            }
            let job = try await Self.enqueue(client, queue: queue, .object(data))
            let reason = try await Self.failure(of: job, client: client, queue: queue)
            #expect(reason != nil)
            try await Self.expectNothingLeftRunning(runID, client: client, queue: queue)
            #expect(try await client.send(RedisCommand(["EXISTS", DistributedKeys(runID: runID).run])).int == 0)
            #expect(try await workflows.status(runID) == nil)
            try await Self.expectWorkerAlive(workflows)
        }
    }
}

import Foundation
import Flowcraft
@testable import FlowcraftRedis
import Testing

/// The completion script applied directly (no worker): redelivered completions commit nothing twice
/// and a join never fires before all its predecessors arrived.
@Suite("Atomic, idempotent node completion", .requiresRedis)
struct CompletionIdempotencyTests {
    struct Fixture {
        let client: RedisClient
        let options: DistributedOptions
        let prepared: DistributedBlueprint
        let committer: RunCommitter
        let runID: String
        let keys: DistributedKeys
        let queueKeys: QueueKeys

        init(_ blueprint: WorkflowBlueprint) throws {
            client = try TestRedis.client()
            options = DistributedOptions(queueName: DistributedTestSupport.uniqueQueue("idem"), stateTTLSeconds: 600)
            prepared = DistributedBlueprint(try CompiledBlueprint(blueprint))
            committer = RunCommitter(client: client, options: options)
            runID = UUID().uuidString.lowercased()
            keys = DistributedKeys(runID: runID)
            queueKeys = QueueKeys(prefix: options.queuePrefix, queueName: options.queueName)
        }

        func start() async throws {
            let planner = CompletionPlanner(prepared: prepared, runID: runID, options: options)
            var change = RunCommitter.Change(mode: .start)
            change.starts = prepared.startEntries
            change.records = planner.startRecords()
            _ = try await committer.commit(runID: runID, blueprintID: prepared.compiled.id, version: nil, change)
        }

        func complete(_ node: String, action: String? = nil) async throws -> RunCommitter.Outcome {
            let n = try #require(prepared.compiled.nodeIndex[node])
            let data = NodeJobData(runID: runID, blueprintID: prepared.compiled.id, nodeID: node)
            let state = RedisWorkflowState(runID: runID, client: client, mode: .buffered)
            try await state.set("side.\(node)", true)
            var change = try await NodeJobExecutor.completionChange(
                prepared: prepared, data: data, item: .node(n), result: NodeResult(output: .string(node), action: action),
                input: .null, state: state, options: options)
            change.starts = prepared.startEntries
            return try await committer.commit(runID: runID, blueprintID: prepared.compiled.id, version: nil, change)
        }

        /// Node ids of the jobs in the queue's wait list, oldest first.
        func waitingNodes() async throws -> [String] {
            let ids = try await client.send(["LRANGE", queueKeys.wait, "0", "-1"]).array?.compactMap(\.string) ?? []
            var nodes: [String] = []
            for id in ids.reversed() {
                let data = try await client.send(["HGET", queueKeys.job(id), "data"]).string ?? ""
                nodes.append(try NodeJobData(json: JSONText.parse(data)).nodeID)
            }
            return nodes
        }

        func pending() async throws -> Set<String> {
            Set(try await client.send(["SMEMBERS", keys.pending]).array?.compactMap(\.string) ?? [])
        }
    }

    @Test("a redelivered completion commits nothing twice and a join fires only when all predecessors arrived")
    func duplicateCompletionsAndJoins() async throws {
        let fixture = try Fixture(DistributedTestSupport.diamond())
        defer { Task { await fixture.client.close() } }
        try await fixture.start()
        #expect(try await fixture.waitingNodes() == ["a"])

        #expect(try await fixture.complete("a").code == "committed")
        #expect(try await fixture.complete("a").code == "duplicate")
        #expect(try await fixture.waitingNodes() == ["a", "b", "c"])

        #expect(try await fixture.complete("b").code == "committed")
        #expect(try await fixture.complete("b").code == "duplicate")
        // b arrived twice, c not at all: the join must not fire.
        #expect(try await fixture.pending() == ["c#0"])
        #expect(try await fixture.waitingNodes() == ["a", "b", "c"])

        let c = try await fixture.complete("c")
        #expect(c.code == "committed" && c.enqueued == 1)
        #expect(try await fixture.waitingNodes() == ["a", "b", "c", "d"])
        #expect(try await fixture.complete("d").code == "committed")
        let e = try await fixture.complete("e")
        #expect(e.runStatus == "completed")
        #expect(try await fixture.complete("e").code == "finished")

        let commits = try await fixture.client.send(["SCARD", fixture.keys.done]).int
        #expect(commits == 5)
        let status = try #require(DistributedRunStatus(json: try await fixture.client.send(["GET", fixture.keys.status]).string ?? ""))
        #expect(status.status == .completed)
        #expect(status.context["side.d"] == true)
        #expect(try await fixture.client.send(["ZSCORE", DistributedKeys.activeRuns(queue: fixture.options.queueName), fixture.runID]).isNull)
    }

    @Test("an unscheduled node (never enqueued in the run) is rejected")
    func unscheduledNodeIsRejected() async throws {
        let fixture = try Fixture(DistributedTestSupport.diamond())
        defer { Task { await fixture.client.close() } }
        try await fixture.start()
        #expect(try await fixture.complete("d").code == "unscheduled")
        #expect(try await fixture.pending() == ["a#0"])
    }

    @Test("exclusive branches into an all join: the skipped branch counts as arrived, untaken nodes are never enqueued")
    func deadPathIntoAllJoin() async throws {
        let blueprint = WorkflowBlueprint(
            id: "exclusive",
            nodes: ["gate", "yes", "no", "noTail", "join"].map { NodeDefinition(id: $0, uses: "noop") },
            edges: [
                EdgeDefinition(source: "gate", target: "yes", action: "yes"),
                EdgeDefinition(source: "gate", target: "no", action: "no"),
                EdgeDefinition(source: "no", target: "noTail"),
                EdgeDefinition(source: "yes", target: "join"), EdgeDefinition(source: "noTail", target: "join"),
            ])
        let fixture = try Fixture(blueprint)
        defer { Task { await fixture.client.close() } }
        try await fixture.start()
        _ = try await fixture.complete("gate", action: "yes")
        #expect(try await fixture.waitingNodes() == ["gate", "yes"])
        _ = try await fixture.complete("yes")
        #expect(try await fixture.waitingNodes() == ["gate", "yes", "join"])
        #expect(try await fixture.complete("join").runStatus == "completed")
    }
}

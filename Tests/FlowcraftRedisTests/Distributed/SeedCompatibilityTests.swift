import Foundation
import Flowcraft
@testable import FlowcraftRedis
import Testing

/// A client written against the seed document (Python `bullmq` 3.4.4 standing in for Node's) starts a
/// run exactly as the seed's `startWorkflow` does — HSET of the initial context, `addBulk` of
/// `executeNode` jobs for the start nodes, no `blueprintVersion` — and the Swift worker finishes it.
@Suite("Seed compatibility", .requiresRedis)
struct SeedCompatibilityTests {
    static let startScript = #"""
import asyncio, sys, uuid
import redis.asyncio as aioredis
from bullmq import Queue

async def main(url, queue_name, blueprint_id, starts):
    run_id = str(uuid.uuid4())
    redis = aioredis.from_url(url)
    queue = Queue(queue_name, {"connection": url})
    await redis.hset(f"workflow:state:{run_id}", mapping={"greeting": "hello", "count": 3})
    jobs = [{"name": "executeNode", "data": {"runId": run_id, "blueprintId": blueprint_id, "nodeId": n}}
            for n in starts]
    await queue.addBulk(jobs)
    await redis.aclose()
    await queue.close()
    print(run_id)

asyncio.run(main(sys.argv[1], sys.argv[2], sys.argv[3], sys.argv[4].split(",")))
"""#

    static let countsScript = #"""
import asyncio, json, sys
from bullmq import Queue

async def main(url, queue_name):
    queue = Queue(queue_name, {"connection": url})
    counts = await queue.getJobCounts("completed", "failed", "waiting", "active", "delayed")
    await queue.close()
    print(json.dumps(counts))

asyncio.run(main(sys.argv[1], sys.argv[2]))
"""#

    @Test("a run started by the seed's client (Python bullmq, no blueprintVersion) completes on the Swift worker")
    func seedClientRunCompletes() async throws {
        let url = try #require(TestRedis.url)
        var registry = NodeRegistry()
        registry.register("greet") { ctx in
            let greeting = try await ctx.state.get("greeting")
            let count = try await ctx.state.get("count")
            try await ctx.state.set("seen.\(ctx.nodeID)", true)
            return NodeResult(output: ["node": .string(ctx.nodeID), "greeting": greeting ?? .null, "count": count ?? .null])
        }
        // Two start nodes, so the seed client enqueues two jobs with one addBulk.
        let blueprint = WorkflowBlueprint(
            id: "seed-flow", version: "7",
            nodes: ["left", "right", "join", "tail"].map { NodeDefinition(id: $0, uses: "greet") },
            edges: [
                EdgeDefinition(source: "left", target: "join"), EdgeDefinition(source: "right", target: "join"),
                EdgeDefinition(source: "join", target: "tail"),
            ])
        let queue = DistributedTestSupport.uniqueQueue("seed")
        let (status, counts) = try await DistributedTestSupport.withWorker(
            blueprints: [blueprint], registry: registry, queue: queue
        ) { workflows, client in
            let runID = try await Self.python(Self.startScript, [url, queue, "seed-flow", "left,right"])
                .trimmingCharacters(in: .whitespacesAndNewlines)
            let status = try await workflows.result(runID, timeout: .seconds(30))
            let counts = try await Self.python(Self.countsScript, [url, queue])
            // Listed and recorded like a run a Flowcraft client started (found by review: missing from
            // `runs`, its history saying its start had been dropped by the cap).
            let history = RedisRunHistory(client: client, queueName: queue)
            #expect(try await history.runs(RunQuery(blueprintID: "seed-flow")).runs.map(\.runID) == [runID])
            let events = try await history.events(of: runID)
            guard case .runStarted(let start)? = events.first?.kind else {
                Issue.record("the history does not start with the run's start: \(events.first.map { "\($0.kind)" } ?? "none")")
                return (status, counts)
            }
            #expect(start.context["greeting"] == "hello", "\(start.context)")
            #expect(events.filter { if case .runStarted = $0.kind { true } else { false } }.count == 1)
            #expect(events.map(\.sequence) == Array(1...events.count))
            return (status, counts)
        }
        #expect(status.status == .completed)
        #expect(status.context["greeting"] == "hello")
        #expect(status.context["count"] == 3)
        for node in ["left", "right", "join", "tail"] {
            #expect(status.context["seen.\(node)"] == true)
            #expect(status.context["_outputs.\(node)"]?["greeting"] == "hello")
        }
        let parsed = try JSONDecoder().decode([String: Int].self, from: Data(counts.utf8))
        #expect(parsed["completed"] == 4)
        #expect(parsed["failed"] == 0)
        #expect(parsed["waiting"] == 0)
    }

    /// Runs a Python snippet and returns its standard output; throws when it exits non-zero. Waits
    /// through the termination handler, not by blocking a cooperative thread.
    static func python(_ script: String, _ arguments: [String]) async throws -> String {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["python3", "-c", script] + arguments
        let output = Pipe()
        let errors = Pipe()
        process.standardOutput = output
        process.standardError = errors
        try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<Void, any Error>) in
            process.terminationHandler = { _ in continuation.resume() }
            do {
                try process.run()
            } catch {
                continuation.resume(throwing: error)
            }
        }
        // The outputs are a few bytes: they fit in the pipe buffers, so the process never blocked on them.
        let data = output.fileHandleForReading.readDataToEndOfFile()
        let errorData = errors.fileHandleForReading.readDataToEndOfFile()
        guard process.terminationStatus == 0 else {
            throw DistributedError("python failed (\(process.terminationStatus)): \(String(decoding: errorData, as: UTF8.self))")
        }
        return String(decoding: data, as: UTF8.self)
    }
}

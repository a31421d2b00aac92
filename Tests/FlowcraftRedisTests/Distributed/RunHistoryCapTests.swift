import Foundation
import Flowcraft
@testable import FlowcraftRedis
import Testing

/// The distributed history's per-run cap at the scale the issue names: a run of 100 002 node
/// executions (a loop of 50 000 rounds) keeps its history list within the cap, numbered absolutely,
/// and the list's memory stays bounded. Heavy (about a minute in a debug build): second test pass.
@Suite("Distributed run history cap at 100 000 node executions", .requiresRedis)
struct RunHistoryCapTests {
    typealias Support = DistributedTestSupport

    @Test("a run of 100 002 node executions keeps at most cap + 10 % history entries")
    func hundredThousandExecutions() async throws {
        let rounds = 50_000
        let cap = 1_000
        let loop = WorkflowBlueprint(
            id: "long-loop",
            nodes: [
                NodeDefinition(id: "begin", uses: "echo"),
                NodeDefinition(id: "count", uses: "inc", config: NodeConfig(joinStrategy: .any)),
                NodeDefinition(
                    id: "poll", uses: "loop-controller",
                    params: ["condition": .string(#"context["n"] < \#(rounds)"#), "maxIterations": .int(rounds + 1)]),
                NodeDefinition(id: "end", uses: "echo"),
            ],
            edges: [
                EdgeDefinition(source: "begin", target: "count"), EdgeDefinition(source: "count", target: "poll"),
                EdgeDefinition(source: "poll", target: "count", action: "continue"),
                EdgeDefinition(source: "poll", target: "end", action: "break"),
            ])
        var registry = NodeRegistry()
        registry.register("echo") { ctx in NodeResult(output: ctx.input) }
        registry.register("inc") { ctx in
            let n = (try await ctx.state.get("n"))?.intValue ?? 0
            try await ctx.state.set("n", .int(n + 1))
            return NodeResult()
        }
        let queue = Support.uniqueQueue("history-cap-100k")
        try await Support.withWorker(
            blueprints: [loop], registry: registry, queue: queue, history: .on(maximumEventsPerRun: cap)
        ) { workflows, client in
            let runID = try await workflows.startWorkflow(blueprintID: "long-loop")
            let final = try await workflows.result(runID, timeout: .seconds(900))
            #expect(final.status == .completed, "\(final.json)")
            #expect(final.context["n"] == .int(rounds))

            let key = DistributedKeys(runID: runID).history
            let length = try await client.send(RedisCommand(["LLEN", key])).int ?? 0
            #expect(length >= cap && length <= cap + cap / 10, "\(length) history entries, cap \(cap)")
            // Each entry is a small JSON event: the list holds kilobytes per entry at most, not the run.
            let bytes = try await client.send(RedisCommand(["MEMORY", "USAGE", key, "SAMPLES", "0"])).int ?? 0
            #expect(bytes > 0 && bytes < 1_000 * (cap + cap / 10), "history list uses \(bytes) bytes")

            let history = RedisRunHistory(client: client, queueName: queue)
            let events = try await history.events(of: runID)
            // runStarted, begin, 50 000 × (count, poll), end, runEnded.
            let total = 2 * rounds + 4
            #expect(events.last?.sequence == total)
            #expect(events.map(\.sequence) == Array((total + 1 - events.count)...total))
            guard case .runEnded(let end)? = events.last?.kind else {
                Issue.record("the kept history does not end with the run's end")
                return
            }
            #expect(end.status == .completed)
            let summary = try #require(try await history.run(runID))
            #expect(summary.status == .completed)
            #expect(!RunInspection(summary: summary, events: events).historyComplete)
        }
    }
}

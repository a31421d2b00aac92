import Foundation
import Flowcraft
import FlowcraftCompiler
@testable import FlowcraftRedis
import Testing

/// `flowcraft resume` refuses an action the wait node's edges do not route before anything is
/// written, and exits non-zero with the NO_ROUTE message; a routed action then completes the run.
@Suite("flowcraft resume", .requiresRedis)
struct ResumeCommandTests {
    static let review = """
        id: review
        nodes:
          - { id: draft, uses: echo }
          - { id: ask, uses: wait }
          - { id: publish, uses: echo }
          - { id: discard, uses: echo }
        edges:
          - { source: draft, target: ask }
          - { source: ask, target: publish, action: approve }
          - { source: ask, target: discard, action: reject }
        """

    @Test("an action the wait node does not route is refused with NO_ROUTE and exit 1; nothing is written")
    func unroutedActionIsRefused() async throws {
        let binary = try #require(ChaosTests.flowcraftBinary, "the flowcraft executable must be built (swift build --build-tests)")
        let url = try #require(TestRedis.url)
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("flowcraft-resume-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        try Self.review.write(to: directory.appendingPathComponent("review.yaml"), atomically: true, encoding: .utf8)
        let compiled = BlueprintCompiler().compile(sources: [("review.yaml", Self.review)])
        #expect(!compiled.hasErrors, "\(compiled.diagnostics)")
        var registry = NodeRegistry()
        registry.register("echo") { ctx in NodeResult(output: ctx.input) }
        let queue = DistributedTestSupport.uniqueQueue("resume-cli")

        try await DistributedTestSupport.withWorker(blueprints: compiled.blueprints, registry: registry, queue: queue) {
            workflows, client in
            let runID = try await workflows.startWorkflow(blueprintID: "review", context: ["_inputs.draft": "text"])
            let paused = try await workflows.result(runID, timeout: .seconds(30), returnWhenAwaiting: true)
            #expect(paused.status == .awaiting, "\(paused.json)")
            let keys = DistributedKeys(runID: runID)
            let before = try await client.send(RedisCommand(["HGETALL", keys.state]))

            let common = ["--blueprints", directory.path, "--redis", url, "--queue", queue]
            let refused = try await WorkerSimulateCommandTests.runBinary(binary, ["resume", runID, "--action", "aprove"] + common)
            #expect(refused.status == 1, "\(refused.stderr)")
            #expect(refused.stderr.contains("NO_ROUTE"), "\(refused.stderr)")
            #expect(refused.stderr.contains("aprove"), "\(refused.stderr)")
            #expect(refused.stderr.contains("approve") && refused.stderr.contains("reject"), "\(refused.stderr)")
            let after = try await client.send(RedisCommand(["HGETALL", keys.state]))
            #expect("\(before)" == "\(after)", "the refused resume wrote to the run's state")
            let still = try await workflows.status(runID)
            #expect(still?.status == .awaiting, "\(String(describing: still?.json))")

            // An unknown run exits 4, as for status (found by review: 1).
            let unknown = try await WorkerSimulateCommandTests.runBinary(binary, ["resume", "no-such-run", "--action", "approve"] + common)
            #expect(unknown.status == 4 && unknown.stderr.contains("unknown run 'no-such-run'"), "\(unknown.status): \(unknown.stderr)")
            // An output past the wait node's size limit is refused before anything is written (found
            // by review: it was stored, and the next node failed, named as the culprit).
            var limited = workflows.options
            limited.sizeLimits = SizeLimits(maximumOutputBytes: 64)
            let strict = WorkflowClient(client: client, catalog: workflows.catalog, options: limited)
            await #expect {
                try await strict.resume(runID, action: "approve", output: .string(String(repeating: "x", count: 100)))
            } throws: { error in
                (error as? DistributedError)?.message.contains("node 'ask': output of 102 bytes exceeds") == true
            }
            #expect("\(before)" == "\(try await client.send(RedisCommand(["HGETALL", keys.state])))")
            // A new run's context past the limits is refused before anything is written.
            limited.sizeLimits = SizeLimits(maximumValueBytes: 64, maximumRunContextBytes: 1_000)
            let small = WorkflowClient(client: client, catalog: workflows.catalog, options: limited)
            await #expect {
                _ = try await small.startWorkflow(blueprintID: "review", context: ["big": .string(String(repeating: "y", count: 100))])
            } throws: { error in
                (error as? DistributedError)?.message.contains("the context value 'big' of a new run is 102 bytes") == true
            }

            // JSON nested past 256 levels would not come back from Redis as it went in (found by review:
            // a status printed `null`, a value reached nodes as a string): refused, start and resume.
            var deep: JSONValue = 1
            for _ in 0..<300 { deep = .array([deep]) }
            await #expect {
                _ = try await workflows.startWorkflow(blueprintID: "review", context: ["deep": deep])
            } throws: { error in
                (error as? DistributedError)?.message.contains("'deep' of a new run nests arrays and objects more than 256 levels") == true
            }
            await #expect {
                try await workflows.resume(runID, action: "approve", output: deep)
            } throws: { error in
                (error as? DistributedError)?.message.contains("node 'ask': output nests arrays and objects more than 256 levels") == true
            }

            let accepted = try await WorkerSimulateCommandTests.runBinary(binary, ["resume", runID, "--action", "approve"] + common)
            #expect(accepted.status == 0, "\(accepted.stderr)")
            let final = try await workflows.result(runID, timeout: .seconds(30))
            #expect(final.status == .completed, "\(final.json)")
            #expect(final.context["_outputs.publish"] != nil, "\(final.json)")
            #expect(final.context["_outputs.discard"] == nil, "\(final.json)")
        }
    }
}

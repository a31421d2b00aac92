import Foundation
import Flowcraft
import FlowcraftCompiler
@testable import FlowcraftRedis
import Testing

/// `flowcraft redrive` (exit 1 with the refusal, 0 when redriven) and `flowcraft status` of a paused
/// run (its wait node and the actions it routes).
@Suite("flowcraft redrive and status", .requiresRedis)
struct RedriveCommandTests {
    static let order = """
        id: order
        nodes:
          - { id: fetch, uses: echo }
          - { id: charge, uses: flaky }
          - { id: review, uses: wait }
          - { id: ship, uses: echo }
          - { id: refund, uses: echo }
        edges:
          - { source: fetch, target: charge }
          - { source: charge, target: review }
          - { source: review, target: ship, action: approve }
          - { source: review, target: refund, action: reject }
        """

    @Test("redrive a failed run from the CLI; a second redrive and an unknown run are refused; status names the wait")
    func redriveAndStatus() async throws {
        let binary = try #require(ChaosTests.flowcraftBinary, "the flowcraft executable must be built (swift build --build-tests)")
        let url = try #require(TestRedis.url)
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("flowcraft-redrive-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        try Self.order.write(to: directory.appendingPathComponent("order.yaml"), atomically: true, encoding: .utf8)
        let compiled = BlueprintCompiler().compile(sources: [("order.yaml", Self.order)])
        #expect(!compiled.hasErrors, "\(compiled.diagnostics)")
        let failures = Counter()
        var registry = NodeRegistry()
        registry.register("echo") { ctx in NodeResult(output: ctx.input) }
        registry.register("flaky") { ctx in
            if failures.next() == 1 { throw DistributedError("card declined") }
            return NodeResult(output: "charged")
        }
        let queue = DistributedTestSupport.uniqueQueue("redrive-cli")

        try await DistributedTestSupport.withWorker(blueprints: compiled.blueprints, registry: registry, queue: queue) {
            workflows, _ in
            let runID = try await workflows.startWorkflow(blueprintID: "order")
            #expect(try await workflows.result(runID, timeout: .seconds(30)).status == .failed)
            let common = ["--blueprints", directory.path, "--redis", url, "--queue", queue]

            let unknown = try await ChildProcess.run([binary, "redrive", "no-such-run"] + common)
            #expect(unknown.status == 4, "\(unknown.stderr)")
            let redriven = try await ChildProcess.run([binary, "redrive", runID] + common)
            #expect(redriven.status == 0, "\(redriven.stderr)")
            #expect(redriven.stdout.contains("redriven run '\(runID)'"), "\(redriven.stdout)")
            let paused = try await workflows.result(runID, timeout: .seconds(30))
            #expect(paused.status == .awaiting, "\(paused.json)")

            let again = try await ChildProcess.run([binary, "redrive", runID] + common)
            #expect(again.status == 1, "\(again.stderr)")
            #expect(again.stderr.contains("it is awaiting"), "\(again.stderr)")

            let status = try await ChildProcess.run([binary, "status", runID] + common)
            #expect(status.status == 0, "\(status.stderr)")
            let json = try JSONText.parse(status.stdout)
            let waiting = json["waitingOn"]?.arrayValue?.first
            #expect(waiting?["nodeId"] == "review", "\(status.stdout)")
            #expect(waiting?["actions"] == ["approve", "reject"], "\(status.stdout)")
        }
    }
}

/// Counts calls across the worker's tasks.
private final class Counter: Sendable {
    private let value = PthreadMutex(0)
    func next() -> Int { value.withLock { $0 += 1; return $0 } }
}

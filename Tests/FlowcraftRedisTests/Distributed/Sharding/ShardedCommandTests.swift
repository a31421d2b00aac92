import Foundation
import Flowcraft
import FlowcraftCompiler
@testable import FlowcraftRedis
import Testing

/// The CLI on a sharded queue: no `--layout` needed (the recorded one is read), base ids accepted,
/// another layout refused naming both.
@Suite("flowcraft commands on a sharded queue", .requiresRedis)
struct ShardedCommandTests {
    @Test("status, redrive, runs and inspect work on a sharded queue by base id without --layout; start with another layout is refused")
    func commandsDiscoverTheLayout() async throws {
        let binary = try #require(ChaosTests.flowcraftBinary, "the flowcraft executable must be built (swift build --build-tests)")
        let url = try #require(TestRedis.url)
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("flowcraft-sharded-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        try RedriveCommandTests.order.write(to: directory.appendingPathComponent("order.yaml"), atomically: true, encoding: .utf8)
        let compiled = BlueprintCompiler().compile(sources: [("order.yaml", RedriveCommandTests.order)])
        let failures = PthreadMutex(0)
        var registry = NodeRegistry()
        registry.register("echo") { ctx in NodeResult(output: ctx.input) }
        registry.register("flaky") { _ in
            if failures.withLock({ $0 += 1; return $0 }) == 1 { throw DistributedError("card declined") }
            return NodeResult(output: "charged")
        }
        let queue = DistributedTestSupport.uniqueQueue("sharded-cli")
        try await DistributedTestSupport.withWorker(
            blueprints: compiled.blueprints, registry: registry, queue: queue, layout: .sharded(count: 4)
        ) { workflows, _ in
            let runID = try await workflows.startWorkflow(blueprintID: "order", runID: "order-7")
            #expect(runID.hasPrefix("{\(queue)."))
            #expect(try await workflows.result(runID, timeout: .seconds(30)).status == .failed)
            let common = ["--blueprints", directory.path, "--redis", url, "--queue", queue]

            let redriven = try await ChildProcess.run([binary, "redrive", "order-7"] + common)
            #expect(redriven.status == 0, "\(redriven.stderr)")
            #expect(try await workflows.result(runID, timeout: .seconds(30)).status == .awaiting)
            let status = try await ChildProcess.run([binary, "status", "order-7"] + common)
            #expect(status.status == 0, "\(status.stderr)")
            #expect(try JSONText.parse(status.stdout)["status"] == "awaiting", "\(status.stdout)")

            let runs = try await ChildProcess.run([binary, "runs", "--redis", url, "--queue", queue])
            #expect(runs.status == 0 && runs.stdout.contains(runID), "\(runs.stdout) \(runs.stderr)")
            let inspect = try await ChildProcess.run([binary, "inspect", "order-7", "--redis", url, "--queue", queue])
            #expect(inspect.status == 0 && inspect.stdout.contains("run \(runID)"), "\(inspect.stdout) \(inspect.stderr)")

            let refused = try await ChildProcess.run([binary, "start", "order", "--layout", "sharded:8"] + common)
            #expect(refused.status != 0)
            #expect(refused.stderr.contains("sharded:4") && refused.stderr.contains("sharded:8"), "\(refused.stderr)")
        }
    }
}

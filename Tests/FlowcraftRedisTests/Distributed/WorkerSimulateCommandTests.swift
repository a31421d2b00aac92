import Foundation
import Flowcraft
import FlowcraftCompiler
@testable import FlowcraftRedis
import Testing

#if canImport(Glibc)
import Glibc
#endif

/// `flowcraft worker --simulate` covers every `uses` key a run executes (batch worker keys too) and
/// gives `--fail NODE=N` the meaning `flowcraft run --simulate` gives it: the first N attempts of
/// each execution of NODE fail. `flowcraft status --wait` on an unknown run exits 4 at once.
@Suite("flowcraft worker --simulate and status", .requiresRedis)
struct WorkerSimulateCommandTests {
    /// A batch whose worker key no node uses.
    static let batch = """
        id: batch
        nodes:
          - { id: scatter, uses: batch-scatter, inputs: list, params: { workerUsesKey: double, gatherNodeId: gather } }
          - { id: gather, uses: batch-gather, params: { gatherNodeId: gather } }
        edges:
          - { source: scatter, target: gather }
        """

    /// `x` runs twice (a loop of two rounds), with three attempts each time.
    static let again = """
        id: again
        nodes:
          - { id: begin, uses: work }
          - { id: x, uses: work, config: { maxRetries: 3, joinStrategy: any } }
          - id: poll
            uses: loop-controller
            params: { condition: 'context["_outputs.poll"] == null', maxIterations: 5 }
          - { id: end, uses: work }
        edges:
          - { source: begin, target: x }
          - { source: x, target: poll }
          - { source: poll, target: x, action: continue }
          - { source: poll, target: end, action: break }
        """

    /// Runs `flowcraft` with `arguments` to its end (``ChildProcess/run(_:timeout:)``); other CLI
    /// tests share it. With `killAfter`, a process still running then is killed (its status is then
    /// the signal's, which no test expects).
    static func runBinary(_ binary: String, _ arguments: [String], killAfter: Duration? = nil) async throws -> (status: Int32, stderr: String) {
        let outcome = try await ChildProcess.run([binary] + arguments, timeout: killAfter ?? .seconds(300))
        return (outcome.status, outcome.stderr)
    }

    @Test(
        "worker --simulate runs batch workers of an otherwise unused key, and --fail x=2 fails two attempts of each execution",
        arguments: [DistributedRetryMode.inProcess, .queue])
    func simulatedWorker(_ mode: DistributedRetryMode) async throws {
        let binary = try #require(ChaosTests.flowcraftBinary, "the flowcraft executable must be built (swift build --build-tests)")
        let url = try #require(TestRedis.url)
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("flowcraft-worker-sim-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        try Self.batch.write(to: directory.appendingPathComponent("batch.yaml"), atomically: true, encoding: .utf8)
        try Self.again.write(to: directory.appendingPathComponent("again.yaml"), atomically: true, encoding: .utf8)
        let queue = DistributedTestSupport.uniqueQueue("worker-sim")

        let process = Process()
        process.executableURL = URL(fileURLWithPath: binary)
        process.arguments = [
            "worker", "--blueprints", directory.path, "--redis", url, "--queue", queue, "--retry-mode", mode.rawValue,
            "--simulate", "--fail", "x=2", "--events",
        ]
        let output = Pipe()
        process.standardOutput = output
        process.standardError = FileHandle.nullDevice
        try process.run()
        let reader = Task {
            await withCheckedContinuation { (continuation: CheckedContinuation<Data, Never>) in
                Thread.detachNewThread { continuation.resume(returning: output.fileHandleForReading.readDataToEndOfFile()) }
            }
        }

        let compiled = BlueprintCompiler().compile(sources: [("batch.yaml", Self.batch), ("again.yaml", Self.again)])
        #expect(!compiled.hasErrors, "\(compiled.diagnostics)")
        let blueprints = compiled.blueprints
        let client = try TestRedis.client()
        let workflows = try WorkflowClient(
            client: client, blueprints: blueprints, options: DistributedOptions(queueName: queue, retryMode: mode))
        let batchRun = try await workflows.startWorkflow(blueprintID: "batch", context: ["list": [1, 2, 3]])
        let againRun = try await workflows.startWorkflow(blueprintID: "again")
        let batchStatus = try await workflows.result(batchRun, timeout: .seconds(30))
        let againStatus = try await workflows.result(againRun, timeout: .seconds(30))
        await client.close()
        kill(process.processIdentifier, SIGTERM)
        for _ in 0..<1000 where process.isRunning { try await Task.sleep(for: .milliseconds(10)) }
        if process.isRunning {
            Issue.record("the worker did not stop within 10 s of SIGTERM")
            kill(process.processIdentifier, SIGKILL)
        }
        let data = await reader.value

        #expect(batchStatus.status == .completed, "\(batchStatus.json)")
        #expect(batchStatus.context["_outputs.gather"] == [1, 2, 3], "\(batchStatus.json)")
        #expect(againStatus.status == .completed, "\(againStatus.json)")
        let events = try String(decoding: data, as: UTF8.self).split(separator: "\n").map { try JSONText.parse(String($0)) }
        let errors = events.filter {
            $0["type"]?.stringValue == "node:error" && $0["nodeId"]?.stringValue == "x" && $0["runId"]?.stringValue == againRun
        }
        #expect(errors.compactMap { $0["attempt"]?.intValue } == [1, 2, 1, 2], "\(errors)")
    }

    @Test("status --wait on a run that does not exist exits 4 at once")
    func statusWaitUnknownRunExitsFour() async throws {
        let binary = try #require(ChaosTests.flowcraftBinary, "the flowcraft executable must be built (swift build --build-tests)")
        let url = try #require(TestRedis.url)
        // A process still waiting after 60 s (of its 600 s) is killed and fails the status check.
        let outcome = try await Self.runBinary(
            binary, ["status", "no-such-run-\(UUID().uuidString)", "--wait", "600", "--redis", url], killAfter: .seconds(60))
        #expect(outcome.status == 4, "it waited for the run to appear (status \(outcome.status)): \(outcome.stderr)")
        #expect(outcome.stderr.contains("unknown run"), "\(outcome.stderr)")
    }
}

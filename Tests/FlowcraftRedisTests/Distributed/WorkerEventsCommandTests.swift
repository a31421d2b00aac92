import Foundation
import Flowcraft
@testable import FlowcraftRedis
import Testing

#if canImport(Glibc)
import Glibc
#endif

/// `flowcraft worker --events` prints the worker's events as JSON lines.
@Suite("flowcraft worker --events", .requiresRedis)
struct WorkerEventsCommandTests {
    @Test("every node's start and finish and the run's finish are printed as JSON lines")
    func printsEvents() async throws {
        let setup = try ChaosTests.prepare()
        defer { try? FileManager.default.removeItem(at: setup.directory) }
        _ = try TestRedis.configuration()
        let url = try #require(TestRedis.url)
        let process = Process()
        process.executableURL = URL(fileURLWithPath: setup.binary)
        process.arguments = [
            "worker", "--blueprints", setup.directory.path, "--redis", url, "--queue", setup.queue, "--simulate", "--events",
        ]
        let output = Pipe()
        process.standardOutput = output
        process.standardError = FileHandle.nullDevice
        try process.run()
        // Drain standard output on a thread of its own (a blocking read must never occupy the
        // cooperative pool) so the child can never block on a full pipe.
        let reader = Task {
            await withCheckedContinuation { (continuation: CheckedContinuation<Data, Never>) in
                Thread.detachNewThread { continuation.resume(returning: output.fileHandleForReading.readDataToEndOfFile()) }
            }
        }

        let client = try TestRedis.client()
        let workflows = try WorkflowClient(
            client: client, blueprints: [ChaosTests.blueprint], options: DistributedOptions(queueName: setup.queue))
        let runID = try await workflows.startWorkflow(blueprintID: "fan")
        let status = try await workflows.result(runID, timeout: .seconds(30))
        await client.close()
        kill(process.processIdentifier, SIGTERM)
        for _ in 0..<1000 where process.isRunning { try await Task.sleep(for: .milliseconds(10)) }
        if process.isRunning {
            Issue.record("the worker did not stop within 10 s of SIGTERM")
            kill(process.processIdentifier, SIGKILL)
        }
        let data = await reader.value

        #expect(status.status == .completed)
        let lines = String(decoding: data, as: UTF8.self).split(separator: "\n").map(String.init)
        let events = try lines.map { try JSONText.parse($0) }
        func count(_ type: String, _ node: String? = nil) -> Int {
            events.filter { $0["type"]?.stringValue == type && (node == nil || $0["nodeId"]?.stringValue == node) }.count
        }
        for node in ChaosTests.blueprint.nodes.map(\.id) {
            #expect(count("node:start", node) == 1, "node:start \(node)")
            #expect(count("node:finish", node) == 1, "node:finish \(node)")
        }
        #expect(count("workflow:finish") == 1)
        #expect(events.allSatisfy { $0["runId"]?.stringValue == runID })
    }
}

import Foundation
import Testing

/// `flowcraft start --run-id` refuses, before connecting, the run ids a worker would refuse
/// (`RunIdentifier`): a usage error (exit 2) naming the option.
@Suite("flowcraft start --run-id", .enabled(if: FlowcraftExecutable.url != nil))
struct StartRunIDTests {
    static func blueprintPath() throws -> String {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("flowcraft-start-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        let path = dir.appendingPathComponent("flow.yaml").path
        try "id: flow\nnodes:\n  - { id: a, uses: work }\n".write(toFile: path, atomically: true, encoding: .utf8)
        return path
    }

    @Test("a run id the workers would refuse exits 2 with a message naming --run-id", arguments: [
        String(repeating: "x", count: 10_000), "", "parent/child#0", "line\nbreak", ".", "..",
    ])
    func refusedRunID(_ runID: String) async throws {
        // An unreachable Redis: the refusal comes before any connection.
        let outcome = try await FlowcraftExecutable.run([
            "start", "flow", "--blueprints", try Self.blueprintPath(), "--redis", "redis://127.0.0.1:1", "--run-id", runID,
        ])
        #expect(outcome.status == 2, "\(outcome.stderr)")
        #expect(outcome.stderr.contains("--run-id"), "\(outcome.stderr)")
        #expect(outcome.stdout.isEmpty)
    }
}

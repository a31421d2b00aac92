import Foundation
import Testing

/// `flowcraft run --simulate` rehearses every example blueprint to completion with no other flags.
@Suite("flowcraft run --simulate on the example blueprints", .enabled(if: FlowcraftExecutable.url != nil))
struct RunSimulateTests {
    static let blueprintsDirectory = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("Blueprints")

    static let blueprintFiles: [String] = {
        let names = (try? FileManager.default.contentsOfDirectory(atPath: blueprintsDirectory.path)) ?? []
        return names.filter { $0.hasSuffix(".yaml") || $0.hasSuffix(".json") }.sorted()
    }()

    @Test func findsTheExampleBlueprints() {
        #expect(Self.blueprintFiles.count >= 5)
    }

    @Test(arguments: blueprintFiles)
    func simulatedRunCompletes(_ file: String) async throws {
        let path = Self.blueprintsDirectory.appendingPathComponent(file).path
        let run = try await FlowcraftExecutable.run(["run", path, "--simulate", "--json"])
        #expect(run.status == 0, "\(file): \(run.stderr)")
        let object = try JSONSerialization.jsonObject(with: Data(run.stdout.utf8)) as? [String: Any]
        #expect(object?["status"] as? String == "completed", "\(file): \(run.stdout.prefix(400))")
        let events = object?["events"] as? [[String: Any]] ?? []
        #expect(events.first?["type"] as? String == "workflow:start")
    }
}

import Flowcraft
import Foundation
import Testing

/// Runs the built `flowcraft` executable (next to the test bundle; `swift build` builds it) to check
/// exit codes and stream use. Skipped when the executable has not been built.
@Suite("flowcraft executable", .enabled(if: FlowcraftExecutable.url != nil))
struct FlowcraftExecutableTests {
    private func blueprintFile(_ text: String, name: String = "flow.yaml") throws -> String {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("flowcraft-cli-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        let path = dir.appendingPathComponent(name).path
        try text.write(toFile: path, atomically: true, encoding: .utf8)
        return path
    }

    static let clean = """
        id: demo
        nodes:
          - { id: "a \\"quoted\\"", uses: work }
          - { id: b, uses: work }
        edges:
          - { source: "a \\"quoted\\"", target: b, condition: "x > 1" }
        """

    @Test func validateCleanExitsZero() async throws {
        let path = try blueprintFile(Self.clean)
        let run = try await FlowcraftExecutable.run(["validate", path])
        #expect(run.status == 0, "\(run.stderr)")
        #expect(run.stdout.contains("ok: 1 blueprint"))
    }

    @Test func validateErrorsExitOneWithLocatedDiagnosticsOnStderr() async throws {
        let path = try blueprintFile("nodes:\n  - id: a\n    usse: x\n")
        let run = try await FlowcraftExecutable.run(["validate", path])
        #expect(run.status == 1)
        #expect(run.stderr.contains("\(path):3:5: error: [UNKNOWN_FIELD] unknown field 'usse' in node; did you mean 'uses'?"))
        #expect(run.stdout.isEmpty)
        let json = try await FlowcraftExecutable.run(["validate", "--format", "json", path])
        #expect(json.status == 1)
        let object = try JSONSerialization.jsonObject(with: Data(json.stdout.utf8)) as? [String: Any]
        #expect((object?["errors"] as? Int ?? 0) >= 1)
    }

    @Test func missingPathAndBadUsageExitTwo() async throws {
        #expect(try await FlowcraftExecutable.run(["validate", "/nonexistent/\(UUID().uuidString).yaml"]).status == 2)
        #expect(try await FlowcraftExecutable.run(["validate", "--format", "xml", "x.yaml"]).status == 2)
        #expect(try await FlowcraftExecutable.run(["validate"]).status == 2)
    }

    @Test func inspectJSONAndGraphFormats() async throws {
        let path = try blueprintFile(Self.clean)
        let inspect = try await FlowcraftExecutable.run(["inspect", path, "--json"])
        #expect(inspect.status == 0, "\(inspect.stderr)")
        let analyses = try JSONSerialization.jsonObject(with: Data(inspect.stdout.utf8)) as? [[String: Any]]
        #expect(analyses?.first?["startNodes"] as? [String] == ["a \"quoted\""])
        let mermaid = try await FlowcraftExecutable.run(["graph", path, "--format", "mermaid"])
        #expect(mermaid.status == 0)
        #expect(mermaid.stdout.contains("#quot;quoted#quot;"))
        let dot = try await FlowcraftExecutable.run(["graph", path, "--format", "dot", "--blueprint", "demo"])
        #expect(dot.stdout.contains(#""a \"quoted\"" -> "b" [label="[x > 1]"];"#))
        let wrong = try await FlowcraftExecutable.run(["graph", path, "--blueprint", "dmeo"])
        #expect(wrong.status == 2)
        #expect(wrong.stderr.contains("did you mean 'demo'?"))
    }
}

/// `graph FILE` and `inspect FILE` read FILE with its directory, as `run` does: a subflow in a
/// sibling file resolves (found by review: the README's own `graph Blueprints/content-moderation.yaml`
/// exited 1 with INVALID_SUBFLOW_BLUEPRINT_ID).
@Suite("flowcraft graph and inspect of one file", .enabled(if: FlowcraftExecutable.url != nil))
struct SiblingBlueprintTests {
    @Test("a file calling a subflow in a sibling file is drawn and inspected; a broken sibling does not stop it")
    func siblingSubflowResolves() async throws {
        let file = RunSimulateTests.blueprintsDirectory.appendingPathComponent("content-moderation.yaml").path
        let graph = try await FlowcraftExecutable.run(["graph", file, "--format", "mermaid"])
        #expect(graph.status == 0, "\(graph.stderr)")
        #expect(graph.stderr.isEmpty, "\(graph.stderr)")
        #expect(graph.stdout.hasPrefix("flowchart"), "\(graph.stdout.prefix(200))")
        let inspect = try await FlowcraftExecutable.run(["inspect", file, "--json"])
        #expect(inspect.status == 0, "\(inspect.stderr)")
        let analyses = try #require(try JSONSerialization.jsonObject(with: Data(inspect.stdout.utf8)) as? [[String: Any]])
        #expect(analyses.count == 1, "only the file's own blueprint: \(inspect.stdout.prefix(300))")

        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("flowcraft-siblings-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        try "id: main\nnodes:\n  - { id: a, uses: work }\n  - { id: call, uses: subflow, params: { blueprintId: child } }\nedges:\n  - { source: a, target: call }\n"
            .write(to: dir.appendingPathComponent("main.yaml"), atomically: true, encoding: .utf8)
        try "id: child\nnodes:\n  - { id: c, uses: work }\n".write(to: dir.appendingPathComponent("child.yaml"), atomically: true, encoding: .utf8)
        try "id: broken\nnodes: [\n".write(to: dir.appendingPathComponent("broken.yaml"), atomically: true, encoding: .utf8)
        let main = dir.appendingPathComponent("main.yaml").path
        let drawn = try await FlowcraftExecutable.run(["graph", main])
        #expect(drawn.status == 0 && drawn.stderr.isEmpty, "\(drawn.status): \(drawn.stderr)")
        #expect(drawn.stdout.contains("call"))
        // The broken file itself still fails, located.
        let broken = try await FlowcraftExecutable.run(["graph", dir.appendingPathComponent("broken.yaml").path])
        #expect(broken.status == 1 || broken.status == 2, "\(broken.status)")
        #expect(broken.stderr.contains("broken.yaml:"), "\(broken.stderr)")
    }
}

import Foundation
import Testing

/// `--dynamic NODE=COUNT` of `flowcraft run` and `flowcraft worker` (with `--simulate`): the simulated
/// node returns COUNT dynamic nodes; malformed values are refused before anything runs.
@Suite("flowcraft --dynamic", .enabled(if: FlowcraftExecutable.url != nil))
struct DynamicOptionTests {
    static let blueprint = """
        id: dyn
        nodes:
          - { id: start, uses: work, inputs: seed }
          - { id: spawner, uses: work }
          - { id: pause, uses: sleep, params: { duration: 1 } }
          - { id: end, uses: work }
        edges:
          - { source: start, target: spawner }
          - { source: spawner, target: pause }
          - { source: pause, target: end }
        """

    private func blueprintDirectory() throws -> URL {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("flowcraft-dynamic-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        try Self.blueprint.write(to: dir.appendingPathComponent("dyn.yaml"), atomically: true, encoding: .utf8)
        return dir
    }


    @Test("flowcraft run --simulate --dynamic spawner=3: three dynamic nodes run before the spawner routes; their outputs are in the context")
    func runReturnsDynamicNodes() async throws {
        let dir = try blueprintDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let run = try await FlowcraftExecutable.run([
            "run", dir.appendingPathComponent("dyn.yaml").path, "--simulate", "--json", "--context", #"{"seed": "s"}"#,
            "--dynamic", "spawner=3",
        ])
        #expect(run.status == 0, "\(run.stderr)")
        let document = try #require(try JSONSerialization.jsonObject(with: Data(run.stdout.utf8)) as? [String: Any])
        #expect(document["status"] as? String == "completed")
        let context = try #require(document["context"] as? [String: Any])
        for index in 1...3 {
            let output = context["_outputs.spawner-d\(index)"] as? [String: Any]
            #expect(output?["index"] as? Int == index, "spawner-d\(index): \(String(describing: output))")
            #expect(output?["count"] as? Int == 3)
            #expect(output?["spawnerOutput"] as? String == "s")
        }
        #expect(context["_outputs.spawner-d4"] == nil)
        #expect(context["_outputs.spawner"] as? String == "s")
        #expect(document["events"] != nil && context["_outputs.end"] != nil, "the run went on to the end")
        // Every dynamic node finished before the spawner's successor started.
        let events = document["events"] as? [[String: Any]] ?? []
        func position(_ type: String, _ node: String) -> Int? {
            events.firstIndex { $0["type"] as? String == type && $0["nodeId"] as? String == node }
        }
        let pauseStart = try #require(position("node:start", "pause"))
        for index in 1...3 {
            let finish = try #require(position("node:finish", "spawner-d\(index)"))
            #expect(finish < pauseStart)
        }
    }

    @Test("a malformed, out-of-range or unknown --dynamic value is refused with a clear error (run and worker)")
    func invalidValuesAreRefused() async throws {
        let dir = try blueprintDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let cases: [(values: [String], message: String)] = [
            (["spawner"], "--dynamic expects NODE=COUNT, got 'spawner'"),
            (["spawner="], "--dynamic expects NODE=COUNT, got 'spawner='"),
            (["=3"], "--dynamic expects NODE=COUNT, got '=3'"),
            (["spawner=three"], "COUNT must be a whole number from 1 to 1000, got 'three'"),
            (["spawner=0"], "COUNT must be a whole number from 1 to 1000, got '0'"),
            (["spawner=1001"], "COUNT must be a whole number from 1 to 1000, got '1001'"),
            (["nope=2"], "no loaded blueprint has a node 'nope'"),
            (["pause=2"], "node 'pause' uses built-in 'sleep'"),
            (["spawner=2", "spawner=3"], "node 'spawner' is given more than once"),
        ]
        for (values, message) in cases {
            let options = values.flatMap { ["--dynamic", $0] }
            let worker = try await FlowcraftExecutable.run(
                ["worker", "--blueprints", dir.path, "--redis", "redis://127.0.0.1:1", "--simulate"] + options)
            #expect(worker.status != 0, "worker \(values)")
            #expect(worker.stderr.contains(message), "worker \(values): \(worker.stderr)")
            #expect(!worker.stderr.contains("serving queue"), "worker \(values) must stop before serving")
            let run = try await FlowcraftExecutable.run(["run", dir.appendingPathComponent("dyn.yaml").path, "--simulate"] + options)
            #expect(run.status != 0, "run \(values)")
            #expect(run.stderr.contains(message), "run \(values): \(run.stderr)")
        }
        let unsimulated = try await FlowcraftExecutable.run(
            ["worker", "--blueprints", dir.path, "--redis", "redis://127.0.0.1:1", "--dynamic", "spawner=2"])
        #expect(unsimulated.status != 0)
        #expect(unsimulated.stderr.contains("--dynamic needs --simulate"), "\(unsimulated.stderr)")
    }

    @Test("a dynamic node id that is already a node of a loaded blueprint is refused")
    func clashingIDIsRefused() async throws {
        let dir = try blueprintDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        try "id: other\nnodes:\n  - { id: spawner-d2, uses: work }\n"
            .write(to: dir.appendingPathComponent("other.yaml"), atomically: true, encoding: .utf8)
        let worker = try await FlowcraftExecutable.run(
            ["worker", "--blueprints", dir.path, "--redis", "redis://127.0.0.1:1", "--simulate", "--dynamic", "spawner=3"])
        #expect(worker.status != 0)
        #expect(worker.stderr.contains("dynamic node id 'spawner-d2' is already a node of a loaded blueprint"), "\(worker.stderr)")
    }

    @Test("the worker's and run's help text document --dynamic")
    func helpDocumentsTheOption() async throws {
        for command in ["worker", "run"] {
            let help = try await FlowcraftExecutable.run([command, "--help"])
            #expect(help.stdout.contains("--dynamic <node=count>"), "\(command): \(help.stdout)")
            #expect(help.stdout.contains("NODE-d1"), "\(command)")
        }
    }
}

import Foundation
import Testing

/// `flowcraft run --simulate` simulates every `uses` key a run can execute, and `--fail NODE=N`
/// fails the first N attempts of each execution of NODE (as `flowcraft worker --simulate` does).
@Suite("flowcraft run --simulate coverage and --fail", .enabled(if: FlowcraftExecutable.url != nil))
struct SimulateCoverageTests {
    /// A batch whose worker key no node uses.
    static let batch = """
        id: batch
        nodes:
          - { id: items, uses: produce }
          - { id: scatter, uses: batch-scatter, inputs: items, params: { workerUsesKey: double, gatherNodeId: gather } }
          - { id: gather, uses: batch-gather, params: { gatherNodeId: gather } }
        edges:
          - { source: items, target: scatter }
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

    private func file(_ name: String, _ text: String) throws -> (URL, String) {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("flowcraft-simulate-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        let path = dir.appendingPathComponent(name)
        try text.write(to: path, atomically: true, encoding: .utf8)
        return (dir, path.path)
    }

    private func document(_ outcome: FlowcraftExecutable.Outcome) throws -> [String: Any] {
        try #require(try JSONSerialization.jsonObject(with: Data(outcome.stdout.utf8)) as? [String: Any], "\(outcome.stderr)")
    }

    @Test("a batch-scatter whose workerUsesKey no node uses runs simulated workers")
    func batchWorkerKeyIsSimulated() async throws {
        let (dir, path) = try file("batch.yaml", Self.batch)
        defer { try? FileManager.default.removeItem(at: dir) }
        let outcome = try await FlowcraftExecutable.run(["run", path, "--simulate", "--json", "--output", #"items=[1, 2, 3]"#])
        #expect(outcome.status == 0, "\(outcome.stderr) \(outcome.stdout.prefix(600))")
        let json = try document(outcome)
        #expect(json["status"] as? String == "completed", "\(json["errors"] ?? "")")
        let context = json["context"] as? [String: Any] ?? [:]
        #expect(context["_outputs.gather"] as? [Int] == [1, 2, 3], "\(context)")
    }

    @Test("--fail, --action and --output refuse a node no loaded blueprint runs (exit 2, did you mean), and accept batch workers")
    func unknownNodeNamesAreRefused() async throws {
        let (dir, path) = try file("batch.yaml", Self.batch)
        defer { try? FileManager.default.removeItem(at: dir) }
        // Found by review: a typo left the run unchanged and passing (exit 0).
        for option in ["--fail", "--action", "--output"] {
            let value = option == "--fail" ? "itemz" : option == "--action" ? "itemz=go" : "itemz=1"
            let outcome = try await FlowcraftExecutable.run(["run", path, "--simulate", "--output", "items=[1]", option, value])
            #expect(outcome.status == 2, "\(option): \(outcome.status) \(outcome.stderr)")
            #expect(outcome.stderr.contains("\(option): no node 'itemz' in the loaded blueprints; did you mean 'items'?"), "\(outcome.stderr)")
        }
        // A batch worker's generated id is a node the run runs.
        let worker = try await FlowcraftExecutable.run(["run", path, "--simulate", "--json", "--output", "items=[1, 2]", "--fail", "double_scatter_1"])
        #expect(worker.status == 1, "\(worker.stderr)")
        #expect(try document(worker)["status"] as? String == "failed")
    }

    @Test("--fail x=2 with maxRetries 3: each execution of x fails twice and succeeds on attempt 3")
    func failCountsAttemptsOfEachExecution() async throws {
        let (dir, path) = try file("again.yaml", Self.again)
        defer { try? FileManager.default.removeItem(at: dir) }
        let outcome = try await FlowcraftExecutable.run(["run", path, "--simulate", "--json", "--fail", "x=2"])
        #expect(outcome.status == 0, "\(outcome.stderr)")
        let json = try document(outcome)
        #expect(json["status"] as? String == "completed", "\(json["errors"] ?? "")")
        let events = json["events"] as? [[String: Any]] ?? []
        func ofX(_ type: String) -> [[String: Any]] {
            events.filter { $0["type"] as? String == type && $0["nodeId"] as? String == "x" }
        }
        #expect(ofX("node:finish").count == 2)
        let errors = ofX("node:error")
        #expect(errors.count == 4, "\(errors)")
        let attempts = errors.compactMap { $0["attempt"] as? Int }
        #expect(attempts == [1, 2, 1, 2], "\(errors)")

        // --fail x (no N) fails every attempt: the run fails after 3.
        let always = try await FlowcraftExecutable.run(["run", path, "--simulate", "--json", "--fail", "x"])
        #expect(always.status == 1)
        #expect(try document(always)["status"] as? String == "failed")
    }
}

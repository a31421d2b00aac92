import Foundation
import FlowcraftModel
import Testing

@testable import FlowcraftCompiler

@Suite("Compiler pipeline")
struct BlueprintCompilerTests {
    /// A fresh directory per test (tests run in parallel).
    private func makeDirectory(_ files: [String: String]) throws -> String {
        let dir = FileManager.default.temporaryDirectory
            .appendingPathComponent("flowcraft-pipeline-\(UUID().uuidString)").path
        for (relative, text) in files {
            let path = dir + "/" + relative
            try FileManager.default.createDirectory(
                atPath: (path as NSString).deletingLastPathComponent, withIntermediateDirectories: true)
            try text.write(toFile: path, atomically: true, encoding: .utf8)
        }
        return dir
    }

    @Test func samplesCompileWithoutFrontEndErrors() {
        let result = BlueprintCompiler().compile(sources: [
            ("fixtures/order.yaml", SampleBlueprints.orderFulfilment),
            ("fixtures/moderation.json", SampleBlueprints.moderationJSON),
        ])
        let frontEnd: Set<DiagnosticCode> = [.yamlSyntax, .duplicateKey, .unknownField, .missingField, .invalidValue, .invalidDuration]
        #expect(result.diagnostics.filter { frontEnd.contains($0.code) }.isEmpty, "\(result.diagnostics)")
        #expect(result.blueprints.map(\.id) == ["order-fulfilment", "moderation"])
        #expect(result.files == ["fixtures/order.yaml", "fixtures/moderation.json"])
    }

    @Test func directoriesAreSearchedRecursivelySortedAndPathsKeptAsGiven() throws {
        let dir = try makeDirectory([
            "b.yaml": "nodes: [{id: a, uses: x}]\n",
            "a.json": #"{"nodes": [{"id": "a", "uses": "x"}]}"#,
            "sub/c.yml": "nodes: [{id: a, uses: x}]\n",
            "notes.txt": "not a blueprint",
            ".hidden/d.yaml": "nodes: [",
        ])
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let result = BlueprintCompiler().compile(paths: [dir + "/"])
        #expect(result.files == [dir + "/a.json", dir + "/b.yaml", dir + "/sub/c.yml"])
        #expect(result.blueprints.map(\.id) == ["a", "b", "c"])
        let again = BlueprintCompiler().compile(paths: [dir, dir + "/b.yaml"])
        #expect(again.files == [dir + "/a.json", dir + "/b.yaml", dir + "/sub/c.yml"])
    }

    @Test func diagnosticsAreSortedAcrossFiles() throws {
        let dir = try makeDirectory([
            "b.yaml": "nodes:\n  - {id: a, uses: x, bogus: 1}\n  - {id: b}\n",
            "a.yaml": "nodes: [\n",
        ])
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let result = BlueprintCompiler().compile(paths: [dir])
        let front = result.diagnostics.filter { [.yamlSyntax, .unknownField, .missingField].contains($0.code) }
        #expect(front.map(\.code) == [.yamlSyntax, .unknownField, .missingField])
        #expect(result.diagnostics == result.diagnostics.sorted(by: Diagnostic.reportOrder))
    }

    @Test func missingPathIsAnIOError() {
        let result = BlueprintCompiler().compile(paths: ["/nonexistent/flowcraft/\(UUID().uuidString).yaml"])
        #expect(result.hasIOErrors)
        #expect(result.diagnostics.map(\.code) == [.ioError])
    }

    @Test func oversizedFileIsRejectedWithoutReading() throws {
        let dir = try makeDirectory(["big.yaml": String(repeating: "# padding\n", count: 200)])
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let result = BlueprintCompiler(limits: YAMLParseLimits(maxInputBytes: 1000)).compile(paths: [dir])
        #expect(result.diagnostics.map(\.code) == [.inputTooLarge])
    }

    @Test func hugeInputOverDefaultLimitIsRejected() {
        let bytes = [UInt8](repeating: UInt8(ascii: " "), count: (64 << 20) + 1)
        let result = BlueprintCompiler().compile(sourceBytes: [("huge.yaml", bytes)])
        #expect(result.diagnostics.map(\.code) == [.inputTooLarge])
    }

    @Test func invalidUTF8SourceIsAnEncodingError() {
        let result = BlueprintCompiler().compile(sourceBytes: [("bad.yaml", [0x6E, 0x3A, 0x20, 0xC3, 0x28])])
        #expect(result.diagnostics.map(\.code) == [.invalidEncoding])
        #expect(result.blueprints.isEmpty)
    }
}

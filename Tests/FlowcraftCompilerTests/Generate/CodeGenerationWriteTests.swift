import Foundation
import Testing

@testable import FlowcraftCompiler

@Suite("Writing generated files")
struct CodeGenerationWriteTests {
    func temporaryDirectory() throws -> URL {
        let url = FileManager.default.temporaryDirectory.appending(path: "flowcraft-codegen-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
        return url
    }

    @Test func writesOnlyChangedFilesAndRemovesItsStaleOutputs() throws {
        let root = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: root) }
        let blueprints = root.appending(path: "bp")
        let output = root.appending(path: "out")
        try FileManager.default.createDirectory(at: blueprints, withIntermediateDirectories: true)
        let a = blueprints.appending(path: "a.yaml")
        let b = blueprints.appending(path: "b.yaml")
        try "id: a\nnodes:\n  - { id: x, uses: work }\n".write(to: a, atomically: true, encoding: .utf8)
        try "id: b\nnodes:\n  - { id: y, uses: work }\n".write(to: b, atomically: true, encoding: .utf8)
        let request = CodeGenerationRequest(
            inputs: [blueprints.path], outputDirectory: output.path,
            options: CodeGenerationOptions(sourceRoot: root.path))

        let first = CodeGeneration.run(request)
        #expect(first.exitCode == 0)
        #expect(first.written.count == 3)

        let second = CodeGeneration.run(request)
        #expect(second.written.isEmpty)
        #expect(second.unchanged.count == 3)

        // A hand-written file in the output directory is never touched.
        let mine = output.appending(path: "Mine.flowcraft.swift")
        try "// mine\n".write(to: mine, atomically: true, encoding: .utf8)
        try FileManager.default.removeItem(at: b)
        let third = CodeGeneration.run(request)
        #expect(third.removed == [output.appending(path: "b.flowcraft.swift").path])
        // `a`'s file lists the nodes using `work` (b's is gone); the registry lists the blueprints.
        #expect(third.written.sorted() == [
            output.appending(path: GeneratedFileNaming.registryFileName).path,
            output.appending(path: "a.flowcraft.swift").path,
        ].sorted())
        #expect(FileManager.default.fileExists(atPath: mine.path))
    }

    @Test func invalidBlueprintsWriteNothing() throws {
        let root = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: root) }
        let file = root.appending(path: "bad.yaml")
        try "id: bad\nnodes:\n  - { id: x, uses: work }\nedges:\n  - { source: x, target: nowhere }\n"
            .write(to: file, atomically: true, encoding: .utf8)
        let output = root.appending(path: "out")
        let report = CodeGeneration.run(CodeGenerationRequest(inputs: [file.path], outputDirectory: output.path))
        #expect(report.exitCode == 1)
        #expect(report.diagnostics.contains { $0.code == .invalidEdgeTarget && $0.location?.line == 5 })
        #expect(!FileManager.default.fileExists(atPath: output.path))
    }

    @Test func missingInputIsAnIOError() {
        let report = CodeGeneration.run(CodeGenerationRequest(inputs: ["/nonexistent/x.yaml"], outputDirectory: "/tmp/unused"))
        #expect(report.exitCode == 2)
    }
}

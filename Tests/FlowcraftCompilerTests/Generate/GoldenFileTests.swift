import Foundation
import Testing

@testable import FlowcraftCompiler

/// The generator's output for `Fixtures/Codegen` must equal the reviewed files under
/// `Tests/FlowcraftGeneratedTests/Generated/`, which that test target also compiles and runs.
/// After an intended change: `FLOWCRAFT_RECORD_GOLDEN=1 swift test --filter GoldenFileTests`, then review
/// the diff.
@Suite("Golden generated Swift")
struct GoldenFileTests {
    static let packageRoot = URL(fileURLWithPath: #filePath).resolvingSymlinksInPath()
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
    static let fixtures = packageRoot.appending(path: "Tests/FlowcraftCompilerTests/Fixtures/Codegen")
    static let golden = packageRoot.appending(path: "Tests/FlowcraftGeneratedTests/Generated")

    @Test func generatedCodeMatchesTheGoldenFiles() throws {
        let result = BlueprintCompiler().compile(paths: [Self.fixtures.path])
        #expect(!result.hasErrors, "\(result.diagnostics)")
        let (files, diagnostics) = SwiftCodeGenerator.generate(
            blueprints: result.blueprints, options: CodeGenerationOptions(sourceRoot: Self.packageRoot.path))
        #expect(diagnostics.isEmpty, "\(diagnostics)")

        if ProcessInfo.processInfo.environment["FLOWCRAFT_RECORD_GOLDEN"] == "1" {
            var report = CodeGenerationReport()
            CodeGeneration.write(files, into: Self.golden.path, &report)
            #expect(!report.failed)
            return
        }
        let existing = try FileManager.default.contentsOfDirectory(atPath: Self.golden.path)
            .filter { $0.hasSuffix(GeneratedFileNaming.suffix) }.sorted()
        #expect(existing == files.map(\.name).sorted(), "golden file set differs; record with FLOWCRAFT_RECORD_GOLDEN=1")
        for file in files {
            let golden = try String(contentsOf: Self.golden.appending(path: file.name), encoding: .utf8)
            #expect(
                golden == file.contents,
                """
                \(file.name) differs from the golden file; record with FLOWCRAFT_RECORD_GOLDEN=1
                \(UnifiedDiff.of(expected: golden, actual: file.contents, expectedLabel: "golden/\(file.name)", actualLabel: "generated/\(file.name)"))
                """)
        }
    }
}

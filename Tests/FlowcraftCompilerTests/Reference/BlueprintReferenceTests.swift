import FlowcraftModel
import Foundation
import Testing

@testable import FlowcraftCompiler

/// Keeps the blueprint reference (DocC, `BlueprintReference.md`) true to the compiler: every code
/// and field is documented, and every example yields exactly the diagnostics shown under it.
@Suite("Blueprint reference")
struct BlueprintReferenceTests {
    @Test func declaresCodesTheScanFinds() throws {
        // Guards the source scan itself: a few codes from different files.
        let codes = try ReferenceDocument.declaredCodes()
        for known in [DiagnosticCode.yamlSyntax, .identifierCollision, .unknownAction, .unknownExpressionRoot] {
            #expect(codes.contains(known.rawValue))
        }
        #expect(codes.count >= 32)
    }

    @Test func everyDiagnosticCodeHasASectionAndAnExample() throws {
        let document = try ReferenceDocument.load()
        #expect(document.problems.isEmpty, "\(document.problems)")
        let exemplified = Set(document.examples.map(\.code))
        let codes = try ReferenceDocument.declaredCodes().sorted()
        let withoutSection = codes.filter { !document.text.contains("\n### \($0)\n") }
        let withoutExample = codes.filter { !exemplified.contains($0) }
        #expect(withoutSection.isEmpty, "the reference has no section '### CODE' for \(withoutSection)")
        #expect(withoutExample.isEmpty, "the reference has no example for \(withoutExample)")
    }

    @Test func everyExampleYieldsExactlyTheDiagnosticsShown() throws {
        let document = try ReferenceDocument.load()
        #expect(!document.examples.isEmpty)
        for example in document.examples {
            let diagnostics = Self.diagnostics(of: example)
            let produced = diagnostics.map(\.description)
            #expect(diagnostics.contains { $0.code.rawValue == example.code },
                    "example for \(example.code) (line \(example.line)) does not yield \(example.code): \(produced)")
            #expect(produced == example.expected,
                    "example for \(example.code) (line \(example.line)) yields:\n\(produced.joined(separator: "\n"))")
        }
    }

    @Test func everyDecodedFieldIsDocumented() throws {
        let text = try ReferenceDocument.load().text
        let fields = BlueprintDecoder.blueprintFields + BlueprintDecoder.nodeFields + BlueprintDecoder.configFields
            + BlueprintDecoder.edgeFields + BlueprintDecoder.metadataFields + BlueprintDecoder.implementationFields
            + BlueprintDecoder.typeFormFields + ["type"]
        let missing = (fields + JoinStrategy.allCases.map(\.rawValue)).filter { !text.contains("`\($0)`") }
        #expect(missing.isEmpty, "the reference does not mention these fields: \(missing)")
    }

    @Test func everyBuiltinAndItsParametersAreDocumented() throws {
        let lines = try ReferenceDocument.load().text.components(separatedBy: "\n")
        for builtin in BuiltinNode.allCases {
            let row = lines.first { $0.hasPrefix("| `\(builtin.rawValue)` |") }
            #expect(row != nil, "the built-in table has no row for '\(builtin.rawValue)'")
            let (required, optional) = builtin.parameters
            for name in required {
                #expect(row?.contains("`\(name)` (required") == true,
                        "the row of '\(builtin.rawValue)' does not list '\(name)' as required")
            }
            for name in optional {
                #expect(row?.contains("`\(name)`") == true, "the row of '\(builtin.rawValue)' does not list '\(name)'")
            }
        }
    }

    @Test func aMissingExampleFailsTheCheck() {
        // The checks above can fail: a document without UNKNOWN_FIELD's example lacks it.
        let document = ReferenceDocument(text: """
            ### YAML_SYNTAX

            ```yaml
            # expect: YAML_SYNTAX
            nodes: [
            ```

            ```text
            example.yaml:3:1: error: [YAML_SYNTAX] x
            ```
            """)
        #expect(document.examples.map(\.code) == ["YAML_SYNTAX"])
        #expect(document.examples.first?.expected == ["example.yaml:3:1: error: [YAML_SYNTAX] x"])
        #expect(!document.examples.contains { $0.code == "UNKNOWN_FIELD" })
    }

    /// Compiles an example as its directives say.
    static func diagnostics(of example: ReferenceDocument.Example) -> [Diagnostic] {
        if let path = example.directives["path"] {
            return BlueprintCompiler().compile(paths: [path]).diagnostics
        }
        var compiler = BlueprintCompiler()
        if let limit = example.directives["limit"].flatMap(Int.init) {
            compiler.limits.maxInputBytes = limit
        }
        let result: CompilationResult
        if example.directives["encoding"] == "latin1" {
            let files = example.files.map { file in
                (path: file.path, bytes: file.text.unicodeScalars.map { UInt8(truncatingIfNeeded: $0.value) })
            }
            result = compiler.compile(sourceBytes: files)
        } else {
            result = compiler.compile(sources: example.files)
        }
        var diagnostics = result.diagnostics
        if example.directives["generate"] == "true" {
            diagnostics += SwiftCodeGenerator.generate(blueprints: result.blueprints).diagnostics
            diagnostics.sort(by: Diagnostic.reportOrder)
        }
        return diagnostics
    }
}

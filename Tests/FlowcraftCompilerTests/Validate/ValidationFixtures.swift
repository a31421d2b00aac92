import FlowcraftModel
import Testing

@testable import FlowcraftCompiler

/// Compiles inline YAML sources through the whole pipeline and picks findings by code.
enum ValidationFixtures {
    static func diagnostics(_ sources: [(path: String, text: String)]) -> [Diagnostic] {
        BlueprintCompiler().compile(sources: sources).diagnostics
    }

    static func diagnostics(_ text: String, path: String = "flow.yaml") -> [Diagnostic] {
        diagnostics([(path, text)])
    }

    /// The findings with `code`.
    static func findings(_ code: DiagnosticCode, in diagnostics: [Diagnostic]) -> [Diagnostic] {
        diagnostics.filter { $0.code == code }
    }
}

/// Asserts that exactly one finding has `code`, at `file:line:column`, with `severity`.
@discardableResult
func expectSingle(
    _ code: DiagnosticCode, _ severity: Diagnostic.Severity = .error, line: Int, column: Int, file: String = "flow.yaml",
    in diagnostics: [Diagnostic], containing fragment: String? = nil, sourceLocation: Testing.SourceLocation = #_sourceLocation
) -> Diagnostic? {
    let found = ValidationFixtures.findings(code, in: diagnostics)
    #expect(found.count == 1, "expected one \(code.rawValue), got: \(diagnostics)", sourceLocation: sourceLocation)
    guard let d = found.first else { return nil }
    #expect(d.severity == severity, "\(d)", sourceLocation: sourceLocation)
    #expect(d.location?.file == file, "\(d)", sourceLocation: sourceLocation)
    #expect(d.location?.line == line, "\(d)", sourceLocation: sourceLocation)
    #expect(d.location?.column == column, "\(d)", sourceLocation: sourceLocation)
    if let fragment {
        #expect(d.message.contains(fragment), "\(d)", sourceLocation: sourceLocation)
    }
    return d
}

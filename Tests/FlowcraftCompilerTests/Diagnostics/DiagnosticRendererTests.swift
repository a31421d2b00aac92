import FlowcraftModel
import Testing

@testable import FlowcraftCompiler

@Suite("Diagnostic renderer")
struct DiagnosticRendererTests {
    static let sample: [Diagnostic] = [
        Diagnostic(
            .error, .duplicateKey, "duplicate key 'a'",
            at: FlowcraftModel.SourceLocation(file: "f.yaml", line: 3, column: 1),
            notes: [.init(message: "'a' first defined here", location: FlowcraftModel.SourceLocation(file: "f.yaml", line: 1, column: 1))]),
        .warning(.unroutedAction, "action \"x\"\nnever routed", at: nil),
    ]

    @Test func textHasLocationSeverityCodeAndNotes() {
        let text = DiagnosticRenderer.text(Self.sample)
        #expect(text == """
            f.yaml:3:1: error: [DUPLICATE_KEY] duplicate key 'a'
            f.yaml:1:1: note: 'a' first defined here
            warning: [UNROUTED_ACTION] action "x"
            never routed
            1 error, 1 warning

            """)
        #expect(DiagnosticRenderer.text([]) == "")
    }

    @Test func jsonIsEscapedAndStable() {
        let json = DiagnosticRenderer.json(Self.sample)
        #expect(json.contains(#"{"severity":"error","code":"DUPLICATE_KEY","message":"duplicate key 'a'","file":"f.yaml","line":3,"column":1,"notes":[{"message":"'a' first defined here","file":"f.yaml","line":1,"column":1}]}"#))
        #expect(json.contains(#""message":"action \"x\"\nnever routed"}"#))
        #expect(json.hasSuffix(#","errors":1,"warnings":1}"# + "\n"))
        #expect(DiagnosticRenderer.json([]) == #"{"diagnostics":[],"errors":0,"warnings":0}"# + "\n")
        #expect(JSONText.quoted("\u{1}") == #""\u0001""#)
    }
}

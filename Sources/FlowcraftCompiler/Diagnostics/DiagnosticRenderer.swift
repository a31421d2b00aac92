import FlowcraftModel

/// Prints diagnostics for people (`path:line:col: error: [CODE] message`, notes on their own
/// lines) or for tools (JSON).
public enum DiagnosticRenderer {
    /// The text form: one line per diagnostic, then one `note:` line per note.
    public static func text(_ diagnostic: Diagnostic) -> String {
        var out = diagnostic.description
        for note in diagnostic.notes {
            out += "\n"
            if let location = note.location { out += "\(location): " }
            out += "note: \(note.message)"
        }
        return out
    }

    /// All diagnostics in text form, each followed by a newline, plus a summary line when any exist.
    public static func text(_ diagnostics: [Diagnostic]) -> String {
        var out = ""
        for d in diagnostics { out += text(d) + "\n" }
        let errors = diagnostics.lazy.filter { $0.severity == .error }.count
        let warnings = diagnostics.lazy.filter { $0.severity == .warning }.count
        if errors + warnings > 0 {
            out += "\(errors) error\(errors == 1 ? "" : "s"), \(warnings) warning\(warnings == 1 ? "" : "s")\n"
        }
        return out
    }

    /// `{"diagnostics":[…],"errors":N,"warnings":N}`: stable key order, one diagnostic per line.
    public static func json(_ diagnostics: [Diagnostic]) -> String {
        let errors = diagnostics.lazy.filter { $0.severity == .error }.count
        let warnings = diagnostics.lazy.filter { $0.severity == .warning }.count
        var out = "{\"diagnostics\":["
        for (i, d) in diagnostics.enumerated() {
            out += i == 0 ? "\n" : ",\n"
            out += "{"
            out += "\"severity\":\(JSONText.quoted(d.severity.rawValue)),"
            out += "\"code\":\(JSONText.quoted(d.code.rawValue)),"
            out += "\"message\":\(JSONText.quoted(d.message))"
            out += locationMembers(d.location)
            if !d.notes.isEmpty {
                out += ",\"notes\":["
                for (j, note) in d.notes.enumerated() {
                    if j > 0 { out += "," }
                    out += "{\"message\":\(JSONText.quoted(note.message))\(locationMembers(note.location))}"
                }
                out += "]"
            }
            out += "}"
        }
        out += diagnostics.isEmpty ? "]" : "\n]"
        out += ",\"errors\":\(errors),\"warnings\":\(warnings)}\n"
        return out
    }

    private static func locationMembers(_ location: SourceLocation?) -> String {
        guard let location else { return "" }
        return ",\"file\":\(JSONText.quoted(location.file)),\"line\":\(location.line),\"column\":\(location.column)"
    }
}

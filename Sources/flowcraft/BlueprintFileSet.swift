import ArgumentParser
import FlowcraftCompiler
import FlowcraftModel
import Foundation

/// A blueprint PATH as `run`, `graph` and `inspect` read it: a directory compiles whole; a file
/// compiles with the other blueprints of its directory, so the subflows it calls in sibling files
/// resolve, while only the file's own blueprints and diagnostics count (a broken sibling does not
/// stop work on a good file).
struct BlueprintFileSet {
    /// Everything compiled (for a file: its whole directory).
    let result: CompilationResult
    /// Whether PATH is a directory.
    let isDirectory: Bool
    /// The blueprints of PATH itself, with their analyses.
    let own: [(blueprint: WorkflowBlueprint, analysis: BlueprintAnalysis)]
    /// The diagnostics of PATH itself (every one, for a directory).
    let diagnostics: [Diagnostic]

    /// `nil` when PATH names nothing.
    init?(path: String) {
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory) else { return nil }
        self.isDirectory = isDirectory.boolValue
        let compiler = BlueprintCompiler()
        if isDirectory.boolValue {
            result = compiler.compile(paths: [path])
            own = Array(zip(result.blueprints, result.analyses))
            diagnostics = result.diagnostics
            return
        }
        let directory = (path as NSString).deletingLastPathComponent
        // PATH itself too: a file named without a blueprint extension is read all the same.
        result = compiler.compile(paths: [directory.isEmpty ? "." : directory, path])
        let target = URL(fileURLWithPath: path).standardizedFileURL.path
        func isOwn(_ file: String?) -> Bool {
            file.map { URL(fileURLWithPath: $0).standardizedFileURL.path == target } ?? false
        }
        own = zip(result.blueprints, result.analyses).filter { isOwn($0.0.location?.file) }
        // Read errors of other files are theirs; a file the compiler could not read at all is PATH's.
        diagnostics = result.diagnostics.filter { isOwn($0.location?.file) }
    }

    /// Whether PATH's own diagnostics hold an error.
    var hasErrors: Bool { diagnostics.contains { $0.severity == .error } }

    /// PATH loaded for a command that reports its problems: prints PATH's own diagnostics (only its
    /// errors with `errorsOnly`) and exits with status 2 when PATH names nothing or cannot be read.
    static func loading(_ path: String, errorsOnly: Bool = false) throws -> BlueprintFileSet {
        guard let files = BlueprintFileSet(path: path) else {
            StandardStreams.error("error: no such file or directory: \(path)\n")
            throw ExitCode(2)
        }
        StandardStreams.error(DiagnosticRenderer.text(files.diagnostics.filter { !errorsOnly || $0.severity == .error }))
        if files.diagnostics.contains(where: { $0.code == .ioError }) { throw ExitCode(2) }
        return files
    }
}

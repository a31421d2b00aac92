import ArgumentParser
import FlowcraftCompiler

/// `flowcraft validate PATH…`: every diagnostic of a set of blueprints.
struct ValidateCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "validate",
        abstract: "Check blueprints and report every problem with its position.",
        discussion: """
            PATHs are blueprint files or directories (searched recursively for *.yaml, *.yml, *.json). \
            All files are validated together, so subflows may name blueprints in other files. \
            Exit status: 0 clean, 1 errors (or warnings with --warnings-as-errors), 2 usage or I/O errors.
            """
    )

    enum OutputFormat: String, ExpressibleByArgument, CaseIterable {
        case text, json
    }

    @Argument(help: "Blueprint files or directories.")
    var paths: [String]

    @Option(help: "Diagnostics as 'text' (on stderr) or 'json' (on stdout).")
    var format: OutputFormat = .text

    @Flag(help: "Treat warnings as errors.")
    var warningsAsErrors = false

    func run() throws {
        let result = BlueprintCompiler().compile(paths: paths)
        switch format {
        case .text:
            StandardStreams.error(DiagnosticRenderer.text(result.diagnostics))
            if !result.hasErrors && !result.hasIOErrors {
                let n = result.blueprints.count
                StandardStreams.output("ok: \(n) blueprint\(n == 1 ? "" : "s") in \(result.files.count) file\(result.files.count == 1 ? "" : "s")\n")
            }
        case .json:
            StandardStreams.output(DiagnosticRenderer.json(result.diagnostics))
        }
        if result.hasIOErrors { throw ExitCode(2) }
        if result.hasErrors || (warningsAsErrors && result.warningCount > 0) { throw ExitCode(1) }
    }
}

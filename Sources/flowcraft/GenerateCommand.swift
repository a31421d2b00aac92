import ArgumentParser
import FlowcraftCompiler

/// `flowcraft generate PATH… --output DIR`: the same code the build plugin generates, written to a
/// directory (for teams that commit generated code, or to read what the plugin produces).
struct GenerateCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "generate",
        abstract: "Generate typed Swift (records, node protocols, registry, embedded blueprints).",
        discussion: """
            PATHs are blueprint files or directories (searched recursively for *.yaml, *.yml, *.json). \
            Nothing is written when a blueprint has errors. Only files whose content changed are \
            rewritten, and generated files no longer produced are removed from DIR. \
            Exit status: 0 clean, 1 errors (or warnings with --warnings-as-errors), 2 usage or I/O errors.
            """
    )

    @Argument(help: "Blueprint files or directories.")
    var paths: [String]

    @Option(name: .shortAndLong, help: "Directory to write the generated Swift files into.")
    var output: String

    @Option(help: "Show blueprint paths relative to this directory in generated code (default: as given).")
    var sourceRoot: String?

    @Flag(help: "Treat warnings as errors.")
    var warningsAsErrors = false

    func run() throws {
        var options = CodeGenerationOptions()
        options.sourceRoot = sourceRoot
        let report = CodeGeneration.run(CodeGenerationRequest(
            inputs: paths, outputDirectory: output, options: options, warningsAsErrors: warningsAsErrors))
        StandardStreams.error(DiagnosticRenderer.text(report.diagnostics))
        if !report.failed {
            StandardStreams.output(
                "generated \(output): \(report.written.count) written, \(report.unchanged.count) unchanged, "
                    + "\(report.removed.count) removed\n")
        }
        if report.exitCode != 0 { throw ExitCode(report.exitCode) }
    }
}

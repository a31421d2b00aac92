import FlowcraftCompiler
import Foundation

// The build plugin's tool: blueprints in, typed Swift out; diagnostics on stderr in the
// `path:line:col: error: [CODE] message` form that SwiftPM shows and editors link.

func printError(_ text: String) {
    guard !text.isEmpty else { return }
    FileHandle.standardError.write(Data(text.utf8))
}

let arguments: GeneratorArguments
do {
    arguments = try GeneratorArguments.parse(Array(CommandLine.arguments.dropFirst()))
} catch .help {
    print(GeneratorArguments.usage, terminator: "")
    exit(0)
} catch .usage(let message) {
    printError("error: \(message)\n" + GeneratorArguments.usage)
    exit(2)
}

let report = CodeGeneration.run(arguments.request)
printError(DiagnosticRenderer.text(report.diagnostics))
if !arguments.quiet && !report.failed {
    print("flowcraft: \(report.written.count) written, \(report.unchanged.count) unchanged, \(report.removed.count) removed")
}
exit(report.exitCode)

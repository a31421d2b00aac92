import Foundation
import PackagePlugin

/// `swift package generate-flowcraft-stubs [--target NAME]… [--output DIR]`: writes the same code the
/// build plugin generates into each target (default `FlowcraftGenerated/` inside it), for teams that
/// commit generated code. Use it instead of the build plugin on a target, not with it.
@main
struct FlowcraftGenerateCommand: CommandPlugin {
    func performCommand(context: PluginContext, arguments: [String]) async throws {
        var extractor = ArgumentExtractor(arguments)
        let targetNames = extractor.extractOption(named: "target")
        let output = extractor.extractOption(named: "output").last ?? "FlowcraftGenerated"
        let targets = targetNames.isEmpty ? context.package.targets : try context.package.targets(named: targetNames)
        let tool = try context.tool(named: "flowcraft-generator")
        var generated = 0
        for case let target as SourceModuleTarget in targets {
            let plan = try BlueprintInputPlan(
                targetDirectory: target.directoryURL, targetFiles: target.sourceFiles.map(\.url))
            guard !plan.blueprints.isEmpty else { continue }
            let directory = target.directoryURL.appending(path: output, directoryHint: .isDirectory)
            var arguments = plan.generatorArguments(outputDirectory: directory, sourceRoot: context.package.directoryURL)
            arguments.removeAll { $0 == "--quiet" }
            let process = Process()
            process.executableURL = tool.url
            process.arguments = arguments
            try process.run()
            process.waitUntilExit()
            guard process.terminationStatus == 0 else {
                Diagnostics.error("flowcraft-generator failed for target \(target.name)")
                throw GenerationFailed(target: target.name)
            }
            print("\(target.name): generated into \(directory.path)")
            generated += 1
        }
        if generated == 0 { print("No target has Flowcraft blueprints (or a flowcraft-config.yaml).") }
    }

    struct GenerationFailed: Error, CustomStringConvertible {
        var target: String
        var description: String { "code generation failed for target \(target)" }
    }
}

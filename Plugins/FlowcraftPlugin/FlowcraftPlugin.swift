import Foundation
import PackagePlugin

/// Regenerates typed Swift from a target's Flowcraft blueprints on every build.
///
/// Inputs: the target's `*.yaml`, `*.yml` and `*.json` files, plus every blueprint under the
/// directories listed in the target's `flowcraft-config.yaml` (`blueprints: [../../Blueprints]`,
/// relative to the target). Outputs are known up front — one file per blueprint and one registry
/// file — so SwiftPM reruns the tool only when an input changed, and the tool rewrites only files
/// whose content changed, so an unchanged build compiles nothing. Invalid blueprints fail the build
/// with the tool's `path:line:col: error: [CODE] message` lines.
@main
struct FlowcraftPlugin: BuildToolPlugin {
    func createBuildCommands(context: PluginContext, target: Target) async throws -> [Command] {
        guard let target = target as? SourceModuleTarget else { return [] }
        let ownFiles = target.sourceFiles.map(\.url)
        let plan = try BlueprintInputPlan(targetDirectory: target.directoryURL, targetFiles: ownFiles)
        guard !plan.blueprints.isEmpty else { return [] }
        let tool = try context.tool(named: "flowcraft-generator")
        let outputDirectory = context.pluginWorkDirectoryURL.appending(path: "Generated", directoryHint: .isDirectory)
        let arguments = plan.generatorArguments(
            outputDirectory: outputDirectory, sourceRoot: context.package.directoryURL)
        return [
            .buildCommand(
                displayName: "Generating Swift from \(plan.blueprints.count) Flowcraft blueprint(s) for \(target.name)",
                executable: tool.url,
                arguments: arguments,
                inputFiles: plan.blueprints.map(\.input) + plan.configFiles,
                outputFiles: plan.outputFiles(in: outputDirectory)
            )
        ]
    }
}

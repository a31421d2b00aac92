import Foundation
import PackagePlugin

/// Embeds the `.lua` files of a target's `Lua` directory as Swift string constants
/// (`LuaSourceFiles.byName`), on every build where one of them changed. The scripts stay real Lua
/// files in the repository; the built library carries their text, so nothing is looked up on disk at
/// run time.
@main
struct FlowcraftLuaPlugin: BuildToolPlugin {
    func createBuildCommands(context: PluginContext, target: Target) async throws -> [Command] {
        guard let target = target as? SourceModuleTarget else { return [] }
        let directory = target.directoryURL.appending(path: "Lua", directoryHint: .isDirectory)
        let files = try FileManager.default.contentsOfDirectory(at: directory, includingPropertiesForKeys: nil)
            .filter { $0.pathExtension == "lua" }
            .sorted { $0.lastPathComponent < $1.lastPathComponent }
        let output = context.pluginWorkDirectoryURL.appending(path: "LuaSourceFiles.swift")
        return [
            .buildCommand(
                displayName: "Embedding \(files.count) Lua file(s) in \(target.name)",
                executable: try context.tool(named: "flowcraft-lua-embedder").url,
                arguments: [output.path] + files.map(\.path),
                inputFiles: files,
                outputFiles: [output]
            )
        ]
    }
}

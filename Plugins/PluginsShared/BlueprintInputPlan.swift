import Foundation

/// Which blueprint files a target compiles and the generated file each one becomes.
///
/// Plugins cannot link libraries, so the naming rule (`<stem>.flowcraft.swift`, `-2`, `-3` … on
/// clashes, registry `FlowcraftNodes.flowcraft.swift`) is repeated here and the names are passed to
/// the tool explicitly: the tool writes exactly the outputs declared to SwiftPM.
struct BlueprintInputPlan {
    static let configNames = ["flowcraft-config.yaml", "flowcraft-config.yml"]
    static let extensions: Set<String> = ["yaml", "yml", "json"]
    static let suffix = ".flowcraft.swift"
    static let registryFileName = "FlowcraftNodes.flowcraft.swift"

    struct Blueprint {
        var input: URL
        var outputName: String
    }

    var blueprints: [Blueprint] = []
    var configFiles: [URL] = []

    init(targetDirectory: URL, targetFiles: [URL]) throws {
        var inputs: [URL] = []
        for file in targetFiles.sorted(by: { $0.path < $1.path }) {
            let name = file.lastPathComponent
            if Self.configNames.contains(name) {
                configFiles.append(file)
            } else if Self.extensions.contains(file.pathExtension.lowercased()) {
                inputs.append(file)
            }
        }
        for name in Self.configNames {
            let config = targetDirectory.appending(path: name)
            guard FileManager.default.fileExists(atPath: config.path) else { continue }
            if !configFiles.contains(where: { $0.standardizedFileURL == config.standardizedFileURL }) {
                configFiles.append(config)
            }
            for directory in try FlowcraftConfig.blueprintDirectories(in: config) {
                let url = targetDirectory.appending(path: directory, directoryHint: .isDirectory).standardizedFileURL
                inputs += try Self.blueprintFiles(under: url, configFile: config)
            }
        }
        var seen = Set<String>()
        var taken: Set<String> = [Self.registryFileName.lowercased()]
        for input in inputs where seen.insert(input.standardizedFileURL.path).inserted {
            let name = Self.unique(Self.defaultName(for: input), taken: taken)
            taken.insert(name.lowercased())
            blueprints.append(Blueprint(input: input.standardizedFileURL, outputName: name))
        }
    }

    func generatorArguments(outputDirectory: URL, sourceRoot: URL) -> [String] {
        var arguments = ["--output", outputDirectory.path, "--source-root", sourceRoot.path, "--quiet"]
        for blueprint in blueprints { arguments += ["--file", blueprint.input.path, blueprint.outputName] }
        return arguments
    }

    func outputFiles(in directory: URL) -> [URL] {
        blueprints.map { directory.appending(path: $0.outputName) } + [directory.appending(path: Self.registryFileName)]
    }

    static func blueprintFiles(under directory: URL, configFile: URL) throws -> [URL] {
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: directory.path, isDirectory: &isDirectory), isDirectory.boolValue else {
            throw FlowcraftConfig.Error("\(configFile.path): blueprint directory not found: \(directory.path)")
        }
        guard let enumerator = FileManager.default.enumerator(
            at: directory, includingPropertiesForKeys: [.isRegularFileKey], options: [.skipsHiddenFiles])
        else { return [] }
        var files: [URL] = []
        for case let url as URL in enumerator
        where extensions.contains(url.pathExtension.lowercased()) && !configNames.contains(url.lastPathComponent) {
            files.append(url.standardizedFileURL)
        }
        return files.sorted { $0.path < $1.path }
    }

    static func defaultName(for input: URL) -> String {
        input.deletingPathExtension().lastPathComponent + suffix
    }

    static func unique(_ name: String, taken: Set<String>) -> String {
        guard taken.contains(name.lowercased()) else { return name }
        let stem = String(name.dropLast(suffix.count))
        var n = 2
        while taken.contains("\(stem)-\(n)\(suffix)".lowercased()) { n += 1 }
        return "\(stem)-\(n)\(suffix)"
    }
}

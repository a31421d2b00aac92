/// Choices that shape generated code without changing its meaning.
public struct CodeGenerationOptions: Sendable, Hashable {
    /// Paths under this directory are shown relative to it in doc comments and embedded source
    /// locations (so generated files are the same on every machine); other absolute paths are shown
    /// by file name only. Relative paths are kept as given.
    public var sourceRoot: String?
    /// Access level of generated declarations.
    public var access: AccessModifier
    /// The registry type requiring every implementation.
    public var registryTypeName: String
    /// The namespace holding the embedded blueprints and typed entry points.
    public var workflowsTypeName: String
    /// Output file name per blueprint source path; unlisted blueprints get
    /// `GeneratedFileNaming.defaultName(forBlueprintAt:)` (made unique).
    public var fileNames: [String: String]
    /// The file holding the registry and the blueprint namespace.
    public var registryFileName: String

    /// Options with the plugin's defaults: public declarations, `FlowcraftNodes` and
    /// `FlowcraftWorkflows`, one file per blueprint named after it.
    public init(
        sourceRoot: String? = nil,
        access: AccessModifier = .public,
        registryTypeName: String = "FlowcraftNodes",
        workflowsTypeName: String = "FlowcraftWorkflows",
        fileNames: [String: String] = [:],
        registryFileName: String = GeneratedFileNaming.registryFileName
    ) {
        self.sourceRoot = sourceRoot
        self.access = access
        self.registryTypeName = registryTypeName
        self.workflowsTypeName = workflowsTypeName
        self.fileNames = fileNames
        self.registryFileName = registryFileName
    }

    /// The stable spelling of a blueprint path for generated code.
    package func displayPath(_ file: String) -> String {
        if file.hasPrefix("/") {
            if let root = sourceRoot {
                let prefix = root.hasSuffix("/") ? root : root + "/"
                if file.hasPrefix(prefix) { return String(file.dropFirst(prefix.count)) }
            }
            return file.split(separator: "/").last.map(String.init) ?? file
        }
        var path = Substring(file)
        while path.hasPrefix("./") { path = path.dropFirst(2) }
        return String(path)
    }
}

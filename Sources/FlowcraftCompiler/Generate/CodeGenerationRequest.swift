/// What to generate: blueprint files or directories in, Swift files out.
public struct CodeGenerationRequest: Sendable {
    /// Files and directories (searched recursively for `*.yaml`, `*.yml`, `*.json`).
    public var inputs: [String]
    /// Where the generated `*.flowcraft.swift` files go (created when missing).
    public var outputDirectory: String
    /// How the generated code is shaped.
    public var options: CodeGenerationOptions
    /// Whether a warning stops generation like an error.
    public var warningsAsErrors: Bool

    /// A request for `inputs` into `outputDirectory`.
    public init(
        inputs: [String], outputDirectory: String, options: CodeGenerationOptions = CodeGenerationOptions(),
        warningsAsErrors: Bool = false
    ) {
        self.inputs = inputs
        self.outputDirectory = outputDirectory
        self.options = options
        self.warningsAsErrors = warningsAsErrors
    }
}

/// What a generation run found and did.
public struct CodeGenerationReport: Sendable {
    /// Compiler and generator findings, in report order.
    public var diagnostics: [Diagnostic] = []
    /// Output files (full paths) whose content changed and were written.
    public var written: [String] = []
    /// Output files already up to date, left untouched so the build compiles nothing.
    public var unchanged: [String] = []
    /// Stale generated files removed from the output directory.
    public var removed: [String] = []
    /// Whether any error (or warning, with `warningsAsErrors`) stopped the run before writing.
    public var failed = false

    /// An empty report, filled by ``CodeGeneration/run(_:)``.
    public init() {}

    /// The process exit status: 0 clean, 1 diagnostics with errors, 2 usage or I/O errors.
    public var exitCode: Int32 {
        if diagnostics.contains(where: { $0.code == .ioError && $0.severity == .error }) { return 2 }
        return failed ? 1 : 0
    }
}

/// What to generate: blueprint files or directories in, Swift files out.
public struct CodeGenerationRequest: Sendable {
    /// Files and directories (searched recursively for `*.yaml`, `*.yml`, `*.json`).
    public var inputs: [String]
    public var outputDirectory: String
    public var options: CodeGenerationOptions
    public var warningsAsErrors: Bool

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

    public init() {}

    /// DESIGN §3: 0 clean, 1 diagnostics with errors, 2 usage or I/O errors.
    public var exitCode: Int32 {
        if diagnostics.contains(where: { $0.code == .ioError && $0.severity == .error }) { return 2 }
        return failed ? 1 : 0
    }
}

import FlowcraftModel

/// Everything the compiler learnt about a set of blueprint files.
public struct CompilationResult: Sendable {
    /// The files compiled, in order, as their paths were given (directories expanded).
    public var files: [String]
    /// Every blueprint that decoded (possibly partially, when it has errors), in file order.
    public var blueprints: [WorkflowBlueprint]
    /// All findings, sorted with `Diagnostic.reportOrder`.
    public var diagnostics: [Diagnostic]

    public init(
        files: [String] = [],
        blueprints: [WorkflowBlueprint] = [],
        diagnostics: [Diagnostic] = []
    ) {
        self.files = files
        self.blueprints = blueprints
        self.diagnostics = diagnostics
    }

    public var errorCount: Int { diagnostics.lazy.filter { $0.severity == .error }.count }
    public var warningCount: Int { diagnostics.lazy.filter { $0.severity == .warning }.count }
    public var hasErrors: Bool { diagnostics.contains { $0.severity == .error } }
    /// `true` when a path could not be found or read (the CLI exits with status 2).
    public var hasIOErrors: Bool { diagnostics.contains { $0.code == .ioError } }

    /// The blueprint with `id`.
    public func blueprint(id: String) -> WorkflowBlueprint? {
        blueprints.first { $0.id == id }
    }
}

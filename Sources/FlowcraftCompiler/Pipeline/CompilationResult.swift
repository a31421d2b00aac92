import FlowcraftModel

/// Everything the compiler learnt about a set of blueprint files.
public struct CompilationResult: Sendable {
    /// The files compiled, in order, as their paths were given (directories expanded).
    public var files: [String]
    /// Every blueprint that decoded (possibly partially, when it has errors), in file order.
    public var blueprints: [WorkflowBlueprint]
    /// Graph facts, one per entry of `blueprints` (same order).
    public var analyses: [BlueprintAnalysis]
    /// All findings, sorted with `Diagnostic.reportOrder`.
    public var diagnostics: [Diagnostic]

    /// A result; the compiler builds it, tests and tools may too.
    public init(
        files: [String] = [],
        blueprints: [WorkflowBlueprint] = [],
        analyses: [BlueprintAnalysis] = [],
        diagnostics: [Diagnostic] = []
    ) {
        self.files = files
        self.blueprints = blueprints
        self.analyses = analyses
        self.diagnostics = diagnostics
    }

    /// How many diagnostics are errors.
    public var errorCount: Int { diagnostics.lazy.filter { $0.severity == .error }.count }
    /// How many diagnostics are warnings.
    public var warningCount: Int { diagnostics.lazy.filter { $0.severity == .warning }.count }
    /// Whether any diagnostic is an error (no code is generated then).
    public var hasErrors: Bool { diagnostics.contains { $0.severity == .error } }
    /// `true` when a path could not be found or read (the CLI exits with status 2).
    public var hasIOErrors: Bool { diagnostics.contains { $0.code == .ioError } }

    /// The blueprint with `id`, and its analysis.
    public func blueprint(id: String) -> (blueprint: WorkflowBlueprint, analysis: BlueprintAnalysis)? {
        guard let index = blueprints.firstIndex(where: { $0.id == id }) else { return nil }
        return (blueprints[index], analyses[index])
    }
}

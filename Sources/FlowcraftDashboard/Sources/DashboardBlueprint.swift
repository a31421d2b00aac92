import Flowcraft

/// A blueprint the dashboard can draw: its definition, its compiled plan (nil when it does not
/// prepare) and validation findings (passed in by whoever ran the compiler; the dashboard never
/// imports it).
public struct DashboardBlueprint: Sendable {
    /// The blueprint as decoded.
    public let blueprint: WorkflowBlueprint
    /// Its compiled form, which the graph is drawn from.
    public let plan: CompiledBlueprint?
    /// Its validation findings (from the compiler, passed in by the CLI).
    public let findings: [DashboardFinding]

    /// Prepares `blueprint`; a preparation error becomes an error finding.
    public init(_ blueprint: WorkflowBlueprint, findings: [DashboardFinding] = []) {
        self.blueprint = blueprint
        var all = findings
        do {
            plan = try CompiledBlueprint(blueprint)
        } catch {
            plan = nil
            all.append(DashboardFinding(severity: .error, message: error.message, location: error.location))
        }
        self.findings = all
    }

    /// The blueprint id.
    public var id: String { blueprint.id }
    /// The blueprint's version label, if any.
    public var version: String? { blueprint.effectiveVersion }
}

/// One validation finding of a blueprint.
public struct DashboardFinding: Sendable, Hashable, Codable {
    /// How serious a finding is.
    public enum Severity: String, Sendable, Hashable, Codable {
        /// The blueprint is invalid.
        case error
        /// Valid, but probably not what was meant.
        case warning
        /// For information.
        case note
    }

    /// How serious it is.
    public var severity: Severity
    /// What is wrong.
    public var message: String
    /// Where (`file:line:col`), when known.
    public var location: SourceLocation?

    /// A finding.
    public init(severity: Severity, message: String, location: SourceLocation? = nil) {
        self.severity = severity
        self.message = message
        self.location = location
    }
}

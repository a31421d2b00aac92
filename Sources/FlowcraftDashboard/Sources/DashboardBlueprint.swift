import Flowcraft

/// A blueprint the dashboard can draw: its definition, its compiled plan (nil when it does not
/// prepare) and validation findings (passed in by whoever ran the compiler; the dashboard never
/// imports it).
public struct DashboardBlueprint: Sendable {
    public let blueprint: WorkflowBlueprint
    public let plan: CompiledBlueprint?
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

    public var id: String { blueprint.id }
    public var version: String? { blueprint.effectiveVersion }
}

/// One validation finding of a blueprint.
public struct DashboardFinding: Sendable, Hashable, Codable {
    public enum Severity: String, Sendable, Hashable, Codable {
        case error, warning, note
    }

    public var severity: Severity
    public var message: String
    public var location: SourceLocation?

    public init(severity: Severity, message: String, location: SourceLocation? = nil) {
        self.severity = severity
        self.message = message
        self.location = location
    }
}

import FlowcraftModel

/// One finding of the compiler: where, how severe, which rule, and what to do about it.
public struct Diagnostic: Sendable, Hashable, Codable, CustomStringConvertible {
    /// How severe a finding is; errors stop code generation.
    public enum Severity: String, Sendable, Hashable, Codable, Comparable {
        /// The severities: `error` fails the build, `warning` does not (unless warnings are errors),
        /// `note` adds context.
        case error, warning, note

        private var rank: Int {
            switch self {
            case .error: return 0
            case .warning: return 1
            case .note: return 2
            }
        }
        public static func < (a: Severity, b: Severity) -> Bool { a.rank < b.rank }
    }

    /// How severe the finding is.
    public var severity: Severity
    /// Which rule found it (`[CODE]` in the text form).
    public var code: DiagnosticCode
    /// What is wrong and, where possible, how to fix it.
    public var message: String
    /// `nil` only for findings about no particular place (e.g. an empty input set).
    public var location: SourceLocation?
    /// Extra lines printed as `note:` at their own locations (e.g. "first defined here").
    public var notes: [Note]

    /// An extra line about another place, printed as `note:`.
    public struct Note: Sendable, Hashable, Codable {
        /// The note's text.
        public var message: String
        /// Where the note points, if anywhere.
        public var location: SourceLocation?
        /// A note with `message` at `location`.
        public init(message: String, location: SourceLocation? = nil) {
            self.message = message
            self.location = location
        }
    }

    /// A finding of `severity` and `code` at `location`, with optional notes.
    public init(
        _ severity: Severity,
        _ code: DiagnosticCode,
        _ message: String,
        at location: SourceLocation?,
        notes: [Note] = []
    ) {
        self.severity = severity
        self.code = code
        self.message = message
        self.location = location
        self.notes = notes
    }

    /// An error finding.
    public static func error(_ code: DiagnosticCode, _ message: String, at location: SourceLocation?) -> Diagnostic {
        Diagnostic(.error, code, message, at: location)
    }

    /// A warning finding.
    public static func warning(_ code: DiagnosticCode, _ message: String, at location: SourceLocation?) -> Diagnostic {
        Diagnostic(.warning, code, message, at: location)
    }

    /// `path:line:col: error: [CODE] message`, the form SwiftPM and editors turn into clickable issues.
    public var description: String {
        let place = location.map { "\($0): " } ?? ""
        return "\(place)\(severity.rawValue): [\(code.rawValue)] \(message)"
    }

    /// Deterministic report order: file, line, column, then code.
    public static func reportOrder(_ a: Diagnostic, _ b: Diagnostic) -> Bool {
        let la = a.location ?? SourceLocation(file: "", line: 0, column: 0)
        let lb = b.location ?? SourceLocation(file: "", line: 0, column: 0)
        if la != lb { return la < lb }
        if a.code.rawValue != b.code.rawValue { return a.code.rawValue < b.code.rawValue }
        return a.message < b.message
    }
}

/// The stable identifier of a diagnostic rule. A struct over a string so new codes don't break clients.
public struct DiagnosticCode: RawRepresentable, Sendable, Hashable, Codable, ExpressibleByStringLiteral {
    /// The code as printed, e.g. `UNKNOWN_FIELD`.
    public var rawValue: String
    /// A code from its printed form.
    public init(rawValue: String) { self.rawValue = rawValue }
    /// A code from a string literal, e.g. `"NO_BLUEPRINTS"`.
    public init(stringLiteral value: String) { self.rawValue = value }

    /// The file is not well-formed YAML (or JSON).
    public static let yamlSyntax: DiagnosticCode = "YAML_SYNTAX"
    /// A file is larger than ``YAMLParseLimits/maxInputBytes``, or nests or expands aliases beyond the limits.
    public static let inputTooLarge: DiagnosticCode = "INPUT_TOO_LARGE"
    /// A file is not valid UTF-8.
    public static let invalidEncoding: DiagnosticCode = "INVALID_ENCODING"
    /// A mapping names the same key twice.
    public static let duplicateKey: DiagnosticCode = "DUPLICATE_KEY"
    /// A key the blueprint format does not know (with a did-you-mean suggestion).
    public static let unknownField: DiagnosticCode = "UNKNOWN_FIELD"
    /// A required key is absent.
    public static let missingField: DiagnosticCode = "MISSING_FIELD"
    /// A value has the wrong shape or is out of range.
    public static let invalidValue: DiagnosticCode = "INVALID_VALUE"
    /// Two nodes of one blueprint share an id.
    public static let duplicateNodeID: DiagnosticCode = "DUPLICATE_NODE_ID"
    /// Two blueprints of the set share an id (and version).
    public static let duplicateBlueprintID: DiagnosticCode = "DUPLICATE_BLUEPRINT_ID"
    /// An edge leaves a node that does not exist.
    public static let invalidEdgeSource: DiagnosticCode = "INVALID_EDGE_SOURCE"
    /// An edge leads to a node that does not exist.
    public static let invalidEdgeTarget: DiagnosticCode = "INVALID_EDGE_TARGET"
    /// Two edges join the same nodes with the same action.
    public static let duplicateEdge: DiagnosticCode = "DUPLICATE_EDGE"
    /// No node can start a run (every node has a predecessor and no cycle entry is declared).
    public static let noStartNode: DiagnosticCode = "NO_START_NODE"
    /// A node no run can reach.
    public static let orphanNode: DiagnosticCode = "ORPHAN_NODE"
    /// A cycle that is not a loop and names no `metadata.cycleEntryPoints`.
    public static let undeclaredCycle: DiagnosticCode = "UNDECLARED_CYCLE"
    /// A `loop-controller` without a `continue` edge into its body.
    public static let loopWithoutContinue: DiagnosticCode = "LOOP_WITHOUT_CONTINUE"
    /// A `config.fallback` naming an unknown node, the node itself, or a node that cannot be a fallback.
    public static let invalidFallback: DiagnosticCode = "INVALID_FALLBACK"
    /// A `subflow` node naming a blueprint that is not in the set.
    public static let invalidSubflowBlueprintID: DiagnosticCode = "INVALID_SUBFLOW_BLUEPRINT_ID"
    /// Subflows that call each other in a cycle.
    public static let subflowCycle: DiagnosticCode = "SUBFLOW_CYCLE"
    /// A `batch-scatter` whose `workerImplementationKey` is missing or unknown.
    public static let invalidBatchWorkerKey: DiagnosticCode = "INVALID_BATCH_WORKER_KEY"
    /// A condition, transform or loop condition that does not parse.
    public static let invalidExpression: DiagnosticCode = "INVALID_EXPRESSION"
    /// A field or input names a type that is neither built in nor declared in `types`.
    public static let unknownType: DiagnosticCode = "UNKNOWN_TYPE"
    /// Two ends of an edge or mapping disagree on a declared type.
    public static let typeMismatch: DiagnosticCode = "TYPE_MISMATCH"
    /// A node declares an action that no edge routes.
    public static let unroutedAction: DiagnosticCode = "UNROUTED_ACTION"
    /// A duration (`timeout`, `retryDelay`, `sleep`) that does not parse.
    public static let invalidDuration: DiagnosticCode = "INVALID_DURATION"
    /// An `all` join behind branches that exclude each other: it can never run.
    public static let unreachableJoin: DiagnosticCode = "UNREACHABLE_JOIN"
    /// An edge from a fallback node into a join, which the join cannot count.
    public static let fallbackEdgeIntoJoin: DiagnosticCode = "FALLBACK_EDGE_INTO_JOIN"
    /// A node `uses` an implementation key the registry does not know.
    public static let unknownImplementation: DiagnosticCode = "UNKNOWN_IMPLEMENTATION"
    /// Two names map to the same generated Swift identifier.
    public static let identifierCollision: DiagnosticCode = "IDENTIFIER_COLLISION"
    /// A path could not be found, read or written.
    public static let ioError: DiagnosticCode = "IO_ERROR"
}

import FlowcraftModel

/// One finding of the compiler: where, how severe, which rule, and what to do about it.
public struct Diagnostic: Sendable, Hashable, Codable, CustomStringConvertible {
    public enum Severity: String, Sendable, Hashable, Codable, Comparable {
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

    public var severity: Severity
    public var code: DiagnosticCode
    public var message: String
    /// `nil` only for findings about no particular place (e.g. an empty input set).
    public var location: SourceLocation?
    /// Extra lines printed as `note:` at their own locations (e.g. "first defined here").
    public var notes: [Note]

    public struct Note: Sendable, Hashable, Codable {
        public var message: String
        public var location: SourceLocation?
        public init(message: String, location: SourceLocation? = nil) {
            self.message = message
            self.location = location
        }
    }

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

    public static func error(_ code: DiagnosticCode, _ message: String, at location: SourceLocation?) -> Diagnostic {
        Diagnostic(.error, code, message, at: location)
    }

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
    public var rawValue: String
    public init(rawValue: String) { self.rawValue = rawValue }
    public init(stringLiteral value: String) { self.rawValue = value }

    public static let yamlSyntax: DiagnosticCode = "YAML_SYNTAX"
    public static let inputTooLarge: DiagnosticCode = "INPUT_TOO_LARGE"
    public static let invalidEncoding: DiagnosticCode = "INVALID_ENCODING"
    public static let duplicateKey: DiagnosticCode = "DUPLICATE_KEY"
    public static let unknownField: DiagnosticCode = "UNKNOWN_FIELD"
    public static let missingField: DiagnosticCode = "MISSING_FIELD"
    public static let invalidValue: DiagnosticCode = "INVALID_VALUE"
    public static let duplicateNodeID: DiagnosticCode = "DUPLICATE_NODE_ID"
    public static let duplicateBlueprintID: DiagnosticCode = "DUPLICATE_BLUEPRINT_ID"
    public static let invalidEdgeSource: DiagnosticCode = "INVALID_EDGE_SOURCE"
    public static let invalidEdgeTarget: DiagnosticCode = "INVALID_EDGE_TARGET"
    public static let duplicateEdge: DiagnosticCode = "DUPLICATE_EDGE"
    public static let noStartNode: DiagnosticCode = "NO_START_NODE"
    public static let orphanNode: DiagnosticCode = "ORPHAN_NODE"
    public static let undeclaredCycle: DiagnosticCode = "UNDECLARED_CYCLE"
    public static let loopWithoutContinue: DiagnosticCode = "LOOP_WITHOUT_CONTINUE"
    public static let invalidFallback: DiagnosticCode = "INVALID_FALLBACK"
    public static let invalidSubflowBlueprintID: DiagnosticCode = "INVALID_SUBFLOW_BLUEPRINT_ID"
    public static let subflowCycle: DiagnosticCode = "SUBFLOW_CYCLE"
    public static let invalidBatchWorkerKey: DiagnosticCode = "INVALID_BATCH_WORKER_KEY"
    public static let invalidExpression: DiagnosticCode = "INVALID_EXPRESSION"
    public static let unknownType: DiagnosticCode = "UNKNOWN_TYPE"
    public static let typeMismatch: DiagnosticCode = "TYPE_MISMATCH"
    public static let unroutedAction: DiagnosticCode = "UNROUTED_ACTION"
    public static let invalidDuration: DiagnosticCode = "INVALID_DURATION"
    public static let unreachableJoin: DiagnosticCode = "UNREACHABLE_JOIN"
    public static let fallbackEdgeIntoJoin: DiagnosticCode = "FALLBACK_EDGE_INTO_JOIN"
    public static let unknownImplementation: DiagnosticCode = "UNKNOWN_IMPLEMENTATION"
    public static let identifierCollision: DiagnosticCode = "IDENTIFIER_COLLISION"
    public static let ioError: DiagnosticCode = "IO_ERROR"
}

/// A type named in a blueprint's `types:` or `implementations:` sections.
public indirect enum TypeReference: Sendable, Hashable, Codable, CustomStringConvertible {
    /// `String`.
    case string
    /// `Int`.
    case int
    /// `Double`.
    case double
    /// `Bool`.
    case bool
    /// `JSON`: any JSON value (``JSONValue``).
    case json
    /// `[T]`: a list of `T`.
    case array(TypeReference)
    /// `[String: T]`: an object whose values are `T`.
    case dictionary(TypeReference)
    /// `T?`: `T` or absent/null.
    case optional(TypeReference)
    /// A record declared under `types:` (in this or another blueprint of the same set).
    case named(String)

    /// The spelling used in blueprints: `String`, `[Int]`, `[String: Order]`, `Double?`.
    public var description: String {
        switch self {
        case .string: return "String"
        case .int: return "Int"
        case .double: return "Double"
        case .bool: return "Bool"
        case .json: return "JSON"
        case .array(let t): return "[\(t)]"
        case .dictionary(let t): return "[String: \(t)]"
        case .optional(let t): return "\(t)?"
        case .named(let n): return n
        }
    }

    /// Parses the blueprint spelling. Returns `nil` with the failing offset on malformed text.
    public static func parse(_ text: String) -> Result<TypeReference, TypeSyntaxError> {
        var parser = TypeReferenceParser(Array(text.unicodeScalars))
        return parser.parseAll()
    }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.singleValueContainer()
        let text = try c.decode(String.self)
        switch TypeReference.parse(text) {
        case .success(let t): self = t
        case .failure(let e):
            throw DecodingError.dataCorruptedError(in: c, debugDescription: e.message)
        }
    }

    public func encode(to encoder: any Encoder) throws {
        var c = encoder.singleValueContainer()
        try c.encode(description)
    }
}

/// Why a type's text (`[String: Order]?`) could not be parsed, and where.
public struct TypeSyntaxError: Error, Sendable, Hashable {
    /// 0-based offset (in Unicode scalars) of the problem inside the type text.
    public var offset: Int
    /// What is wrong.
    public var message: String
}

struct TypeReferenceParser {
    let s: [Unicode.Scalar]
    var i = 0
    init(_ s: [Unicode.Scalar]) { self.s = s }

    mutating func skipSpaces() { while i < s.count, s[i] == " " { i += 1 } }

    mutating func parseAll() -> Result<TypeReference, TypeSyntaxError> {
        skipSpaces()
        let r = parseType()
        guard case .success = r else { return r }
        skipSpaces()
        if i < s.count { return .failure(TypeSyntaxError(offset: i, message: "unexpected '\(s[i])' in type")) }
        return r
    }

    mutating func parseType() -> Result<TypeReference, TypeSyntaxError> {
        skipSpaces()
        var base: TypeReference
        if i < s.count, s[i] == "[" {
            i += 1
            let first = parseType()
            guard case .success(let t) = first else { return first }
            skipSpaces()
            if i < s.count, s[i] == ":" {
                guard t == .string else {
                    return .failure(TypeSyntaxError(offset: i, message: "dictionary keys must be String"))
                }
                i += 1
                let v = parseType()
                guard case .success(let vt) = v else { return v }
                base = .dictionary(vt)
            } else {
                base = .array(t)
            }
            skipSpaces()
            guard i < s.count, s[i] == "]" else { return .failure(TypeSyntaxError(offset: i, message: "expected ']'")) }
            i += 1
        } else {
            let start = i
            while i < s.count, s[i] == "_" || s[i].properties.isAlphabetic || (i > start && s[i].properties.numericType != nil) {
                i += 1
            }
            guard i > start else {
                return .failure(TypeSyntaxError(offset: i, message: "expected a type name"))
            }
            let name = String(String.UnicodeScalarView(s[start..<i]))
            switch name {
            case "String": base = .string
            case "Int": base = .int
            case "Double", "Number": base = .double
            case "Bool": base = .bool
            case "JSON", "Any": base = .json
            default: base = .named(name)
            }
        }
        while i < s.count, s[i] == "?" {
            i += 1
            base = .optional(base)
        }
        return .success(base)
    }
}

/// A named record under `types:`.
public struct TypeDefinition: Sendable, Hashable, Codable {
    /// The record's Swift type name.
    public var name: String
    /// Its fields, in file order.
    public var fields: [FieldDefinition]
    /// The `description:` text, copied into the generated doc comment.
    public var description: String?
    /// Where the record is declared.
    public var location: SourceLocation?

    /// A record named `name` with `fields`.
    public init(name: String, fields: [FieldDefinition], description: String? = nil, location: SourceLocation? = nil) {
        self.name = name
        self.fields = fields
        self.description = description
        self.location = location
    }
}

/// One field of a record under `types:`.
public struct FieldDefinition: Sendable, Hashable, Codable {
    /// The field's name (a JSON key; the generated property may be escaped).
    public var name: String
    /// The field's type.
    public var type: TypeReference
    /// Where the field's key is.
    public var location: SourceLocation?
    /// Where its type is written (diagnostics about the type point here).
    public var typeLocation: SourceLocation?

    /// A field `name` of `type`.
    public init(name: String, type: TypeReference, location: SourceLocation? = nil, typeLocation: SourceLocation? = nil) {
        self.name = name
        self.type = type
        self.location = location
        self.typeLocation = typeLocation
    }
}

/// Typing of one `uses` key under `implementations:`.
public struct ImplementationDefinition: Sendable, Hashable, Codable {
    /// The `uses` key being typed.
    public var uses: String
    /// The type of the node's input, if declared.
    public var input: TypeReference?
    /// The type of the node's output, if declared.
    public var output: TypeReference?
    /// The type of the node's `params`, if declared.
    public var params: TypeReference?
    /// The actions the implementation may return; `nil` means inferred from the edges.
    public var actions: [String]?
    /// The `description:` text, copied into the generated protocol's doc comment.
    public var description: String?
    /// Where the entry is declared.
    public var location: SourceLocation?
    /// Where each declared type is written, by role (`input`, `output`, `params`).
    public var typeLocations: [String: SourceLocation]?

    /// Typing for `uses`; everything not given is undeclared.
    public init(
        uses: String,
        input: TypeReference? = nil,
        output: TypeReference? = nil,
        params: TypeReference? = nil,
        actions: [String]? = nil,
        description: String? = nil,
        location: SourceLocation? = nil
    ) {
        self.uses = uses
        self.input = input
        self.output = output
        self.params = params
        self.actions = actions
        self.description = description
        self.location = location
    }
}

/// One Swift declaration, with the documentation printed above it.
public indirect enum SwiftDeclaration: Sendable, Hashable {
    case structure(StructDescription)
    case enumeration(EnumDescription)
    case protocolType(ProtocolDescription)
    case extensionOf(ExtensionDescription)
    case function(FunctionDescription)
    case variable(VariableDescription)
    case enumCase(EnumCaseDescription)
    /// A `// MARK: - title` line, to make long files navigable.
    case mark(String)
}

/// `public`, `internal`, … as printed before a declaration.
public enum AccessModifier: String, Sendable, Hashable {
    case `public`, `internal`, `fileprivate`, `private`
}

/// `/// …` lines above a declaration. Each element is one line; embedded newlines are split.
public struct DocComment: Sendable, Hashable, ExpressibleByStringLiteral {
    public var lines: [String]

    public init(_ lines: [String]) {
        self.lines = lines.flatMap { $0.split(separator: "\n", omittingEmptySubsequences: false).map(String.init) }
    }

    public init(stringLiteral value: String) { self.init([value]) }
}

/// `struct Name: Conformances { members }`.
public struct StructDescription: Sendable, Hashable {
    public var doc: DocComment?
    public var access: AccessModifier?
    public var name: String
    public var conformances: [String]
    public var members: [SwiftDeclaration]

    public init(
        doc: DocComment? = nil, access: AccessModifier? = nil, name: String, conformances: [String] = [],
        members: [SwiftDeclaration] = []
    ) {
        self.doc = doc
        self.access = access
        self.name = name
        self.conformances = conformances
        self.members = members
    }
}

/// `enum Name: RawType, Conformances { cases and members }`.
public struct EnumDescription: Sendable, Hashable {
    public var doc: DocComment?
    public var access: AccessModifier?
    public var name: String
    /// The raw type (if any) comes first, as Swift requires.
    public var conformances: [String]
    public var members: [SwiftDeclaration]

    public init(
        doc: DocComment? = nil, access: AccessModifier? = nil, name: String, conformances: [String] = [],
        members: [SwiftDeclaration] = []
    ) {
        self.doc = doc
        self.access = access
        self.name = name
        self.conformances = conformances
        self.members = members
    }
}

/// `case name` or `case name = "raw"`.
public struct EnumCaseDescription: Sendable, Hashable {
    public var doc: DocComment?
    public var name: String
    public var rawValue: String?

    public init(doc: DocComment? = nil, name: String, rawValue: String? = nil) {
        self.doc = doc
        self.name = name
        self.rawValue = rawValue
    }
}

/// `protocol Name: Conformances { requirements }`.
public struct ProtocolDescription: Sendable, Hashable {
    public var doc: DocComment?
    public var access: AccessModifier?
    public var name: String
    public var conformances: [String]
    /// Requirements: functions without bodies.
    public var members: [SwiftDeclaration]

    public init(
        doc: DocComment? = nil, access: AccessModifier? = nil, name: String, conformances: [String] = [],
        members: [SwiftDeclaration] = []
    ) {
        self.doc = doc
        self.access = access
        self.name = name
        self.conformances = conformances
        self.members = members
    }
}

/// `extension Type: Conformances { members }`.
public struct ExtensionDescription: Sendable, Hashable {
    public var doc: DocComment?
    public var access: AccessModifier?
    public var extendedType: String
    public var conformances: [String]
    public var members: [SwiftDeclaration]

    public init(
        doc: DocComment? = nil, access: AccessModifier? = nil, extendedType: String, conformances: [String] = [],
        members: [SwiftDeclaration] = []
    ) {
        self.doc = doc
        self.access = access
        self.extendedType = extendedType
        self.conformances = conformances
        self.members = members
    }
}

/// A function, initializer or protocol requirement (`body == nil`).
public struct FunctionDescription: Sendable, Hashable {
    public enum Kind: Sendable, Hashable {
        case function(name: String)
        case initializer
    }

    public var doc: DocComment?
    public var attributes: [String]
    public var access: AccessModifier?
    public var isStatic: Bool
    public var kind: Kind
    public var parameters: [ParameterDescription]
    public var isAsync: Bool
    public var isThrowing: Bool
    public var returnType: String?
    public var body: [CodeStatement]?

    public init(
        doc: DocComment? = nil, attributes: [String] = [], access: AccessModifier? = nil, isStatic: Bool = false,
        kind: Kind, parameters: [ParameterDescription] = [], isAsync: Bool = false, isThrowing: Bool = false,
        returnType: String? = nil, body: [CodeStatement]? = nil
    ) {
        self.doc = doc
        self.attributes = attributes
        self.access = access
        self.isStatic = isStatic
        self.kind = kind
        self.parameters = parameters
        self.isAsync = isAsync
        self.isThrowing = isThrowing
        self.returnType = returnType
        self.body = body
    }
}

/// `label name: Type = default`; `label == nil` uses the name as label, `"_"` suppresses it.
public struct ParameterDescription: Sendable, Hashable {
    public var label: String?
    public var name: String
    public var type: String
    public var defaultValue: SwiftExpression?

    public init(label: String? = nil, name: String, type: String, defaultValue: SwiftExpression? = nil) {
        self.label = label
        self.name = name
        self.type = type
        self.defaultValue = defaultValue
    }
}

/// A stored or computed property.
public struct VariableDescription: Sendable, Hashable {
    public var doc: DocComment?
    public var access: AccessModifier?
    public var isStatic: Bool
    public var isMutable: Bool
    public var name: String
    public var type: String?
    public var initializer: SwiftExpression?
    /// A computed property's getter; `nil` for stored properties.
    public var getter: [CodeStatement]?

    public init(
        doc: DocComment? = nil, access: AccessModifier? = nil, isStatic: Bool = false, isMutable: Bool = false,
        name: String, type: String? = nil, initializer: SwiftExpression? = nil, getter: [CodeStatement]? = nil
    ) {
        self.doc = doc
        self.access = access
        self.isStatic = isStatic
        self.isMutable = isMutable
        self.name = name
        self.type = type
        self.initializer = initializer
        self.getter = getter
    }
}

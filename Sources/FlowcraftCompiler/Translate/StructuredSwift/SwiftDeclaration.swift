/// One Swift declaration, with the documentation printed above it.
package indirect enum SwiftDeclaration: Sendable, Hashable {
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

/// `public`, `internal`, … as printed before a declaration: the access level of generated code
/// (``CodeGenerationOptions/access``).
public enum AccessModifier: String, Sendable, Hashable {
    /// `public`: the generated types are visible to other modules.
    case `public`
    /// `internal`: the generated types are visible in their module only.
    case `internal`
    /// `fileprivate`: visible in the generated file only.
    case `fileprivate`
    /// `private`: visible in the enclosing declaration only.
    case `private`
}

/// `/// …` lines above a declaration. Each element is one line; embedded newlines are split.
package struct DocComment: Sendable, Hashable, ExpressibleByStringLiteral {
    package var lines: [String]

    package init(_ lines: [String]) {
        self.lines = lines.flatMap { $0.split(separator: "\n", omittingEmptySubsequences: false).map(String.init) }
    }

    package init(stringLiteral value: String) { self.init([value]) }
}

/// `struct Name: Conformances { members }`.
package struct StructDescription: Sendable, Hashable {
    package var doc: DocComment?
    package var access: AccessModifier?
    package var name: String
    package var conformances: [String]
    package var members: [SwiftDeclaration]

    package init(
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
package struct EnumDescription: Sendable, Hashable {
    package var doc: DocComment?
    package var access: AccessModifier?
    package var name: String
    /// The raw type (if any) comes first, as Swift requires.
    package var conformances: [String]
    package var members: [SwiftDeclaration]

    package init(
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
package struct EnumCaseDescription: Sendable, Hashable {
    package var doc: DocComment?
    package var name: String
    package var rawValue: String?

    package init(doc: DocComment? = nil, name: String, rawValue: String? = nil) {
        self.doc = doc
        self.name = name
        self.rawValue = rawValue
    }
}

/// `protocol Name: Conformances { requirements }`.
package struct ProtocolDescription: Sendable, Hashable {
    package var doc: DocComment?
    package var access: AccessModifier?
    package var name: String
    package var conformances: [String]
    /// Requirements: functions without bodies.
    package var members: [SwiftDeclaration]

    package init(
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
package struct ExtensionDescription: Sendable, Hashable {
    package var doc: DocComment?
    package var access: AccessModifier?
    package var extendedType: String
    package var conformances: [String]
    package var members: [SwiftDeclaration]

    package init(
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
package struct FunctionDescription: Sendable, Hashable {
    package enum Kind: Sendable, Hashable {
        case function(name: String)
        case initializer
    }

    package var doc: DocComment?
    package var attributes: [String]
    package var access: AccessModifier?
    package var isStatic: Bool
    package var kind: Kind
    package var parameters: [ParameterDescription]
    package var isAsync: Bool
    package var isThrowing: Bool
    package var returnType: String?
    package var body: [CodeStatement]?

    package init(
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
package struct ParameterDescription: Sendable, Hashable {
    package var label: String?
    package var name: String
    package var type: String
    package var defaultValue: SwiftExpression?

    package init(label: String? = nil, name: String, type: String, defaultValue: SwiftExpression? = nil) {
        self.label = label
        self.name = name
        self.type = type
        self.defaultValue = defaultValue
    }
}

/// A stored or computed property.
package struct VariableDescription: Sendable, Hashable {
    package var doc: DocComment?
    package var access: AccessModifier?
    package var isStatic: Bool
    package var isMutable: Bool
    package var name: String
    package var type: String?
    package var initializer: SwiftExpression?
    /// A computed property's getter; `nil` for stored properties.
    package var getter: [CodeStatement]?

    package init(
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

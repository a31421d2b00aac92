/// A workflow: nodes joined by edges, as authored in a YAML or JSON blueprint file.
///
/// Field names follow Flowcraft's `WorkflowBlueprint` so any Flowcraft blueprint decodes unchanged.
public struct WorkflowBlueprint: Sendable, Hashable, Codable {
    /// The blueprint's id, which runs name.
    public var id: String
    /// Top-level convenience; `metadata.version` is used when this is absent.
    public var version: String?
    /// Free text about the workflow.
    public var description: String?
    /// The nodes, in file order.
    public var nodes: [NodeDefinition]
    /// The edges, in file order.
    public var edges: [EdgeDefinition]
    /// The `metadata:` mapping, if any.
    public var metadata: BlueprintMetadata?
    /// Named record types for code generation (`types:`), in file order.
    public var types: [TypeDefinition]
    /// Typing of `uses` keys for code generation (`implementations:`), in file order.
    public var implementations: [ImplementationDefinition]
    /// Where the blueprint's root mapping starts; the file path names the blueprint's source.
    public var location: SourceLocation?

    /// A blueprint; the compiler builds them from files, tests may build them directly.
    public init(
        id: String,
        version: String? = nil,
        description: String? = nil,
        nodes: [NodeDefinition] = [],
        edges: [EdgeDefinition] = [],
        metadata: BlueprintMetadata? = nil,
        types: [TypeDefinition] = [],
        implementations: [ImplementationDefinition] = [],
        location: SourceLocation? = nil
    ) {
        self.id = id
        self.version = version
        self.description = description
        self.nodes = nodes
        self.edges = edges
        self.metadata = metadata
        self.types = types
        self.implementations = implementations
        self.location = location
    }

    /// The version used to key distributed state: `version`, else `metadata.version`.
    public var effectiveVersion: String? { version ?? metadata?.version }

    enum CodingKeys: String, CodingKey {
        case id, version, description, nodes, edges, metadata, types, implementations, location
    }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        id = try c.decode(String.self, forKey: .id)
        version = try c.decodeIfPresent(String.self, forKey: .version)
        description = try c.decodeIfPresent(String.self, forKey: .description)
        nodes = try c.decodeIfPresent([NodeDefinition].self, forKey: .nodes) ?? []
        edges = try c.decodeIfPresent([EdgeDefinition].self, forKey: .edges) ?? []
        metadata = try c.decodeIfPresent(BlueprintMetadata.self, forKey: .metadata)
        types = try c.decodeIfPresent([TypeDefinition].self, forKey: .types) ?? []
        implementations = try c.decodeIfPresent([ImplementationDefinition].self, forKey: .implementations) ?? []
        location = try c.decodeIfPresent(SourceLocation.self, forKey: .location)
    }

    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(id, forKey: .id)
        try c.encodeIfPresent(version, forKey: .version)
        try c.encodeIfPresent(description, forKey: .description)
        try c.encode(nodes, forKey: .nodes)
        try c.encode(edges, forKey: .edges)
        try c.encodeIfPresent(metadata, forKey: .metadata)
        if !types.isEmpty { try c.encode(types, forKey: .types) }
        if !implementations.isEmpty { try c.encode(implementations, forKey: .implementations) }
        try c.encodeIfPresent(location, forKey: .location)
    }
}

/// `metadata:`; unknown members are kept in `extra` (Flowcraft allows any).
public struct BlueprintMetadata: Sendable, Hashable, Codable {
    /// The blueprint's version (`metadata.version`).
    public var version: String?
    /// Nodes where a declared cycle is entered; makes a cycle without a loop-controller legal.
    public var cycleEntryPoints: [String]
    /// Every other member, kept as written (e.g. `unroutedActions`).
    public var extra: [String: JSONValue]

    /// Metadata with the given members.
    public init(version: String? = nil, cycleEntryPoints: [String] = [], extra: [String: JSONValue] = [:]) {
        self.version = version
        self.cycleEntryPoints = cycleEntryPoints
        self.extra = extra
    }

    struct AnyKey: CodingKey {
        var stringValue: String
        var intValue: Int? { nil }
        init(stringValue: String) { self.stringValue = stringValue }
        init?(intValue: Int) { nil }
    }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: AnyKey.self)
        version = try c.decodeIfPresent(String.self, forKey: AnyKey(stringValue: "version"))
        cycleEntryPoints = try c.decodeIfPresent([String].self, forKey: AnyKey(stringValue: "cycleEntryPoints")) ?? []
        var extra: [String: JSONValue] = [:]
        for key in c.allKeys where key.stringValue != "version" && key.stringValue != "cycleEntryPoints" {
            extra[key.stringValue] = try c.decode(JSONValue.self, forKey: key)
        }
        self.extra = extra
    }

    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: AnyKey.self)
        try c.encodeIfPresent(version, forKey: AnyKey(stringValue: "version"))
        if !cycleEntryPoints.isEmpty {
            try c.encode(cycleEntryPoints, forKey: AnyKey(stringValue: "cycleEntryPoints"))
        }
        for (k, v) in extra { try c.encode(v, forKey: AnyKey(stringValue: k)) }
    }
}

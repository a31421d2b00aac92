/// One step of a workflow. `uses` names the implementation (a user node or a built-in).
public struct NodeDefinition: Sendable, Hashable, Codable {
    /// The node's id, unique in its blueprint.
    public var id: String
    /// The implementation key (a registered node or a built-in such as `sleep`).
    public var uses: String
    /// Static parameters (`params:`); always an object.
    public var params: [String: JSONValue]
    /// Which context keys become the node's input (`inputs:`); `nil` passes the edge's data.
    public var inputs: NodeInputs?
    /// Retries, timeout, fallback and join strategy.
    public var config: NodeConfig
    /// Where the node's mapping starts.
    public var location: SourceLocation?
    /// Where individual fields' values start, keyed by dotted path (`uses`, `config.fallback`,
    /// `params.blueprintId`, `inputs.total`). Compile-time only: not encoded.
    public var fieldLocations: [String: SourceLocation]

    /// A node `id` that `uses` an implementation.
    public init(
        id: String,
        uses: String,
        params: [String: JSONValue] = [:],
        inputs: NodeInputs? = nil,
        config: NodeConfig = NodeConfig(),
        location: SourceLocation? = nil,
        fieldLocations: [String: SourceLocation] = [:]
    ) {
        self.id = id
        self.uses = uses
        self.params = params
        self.inputs = inputs
        self.config = config
        self.location = location
        self.fieldLocations = fieldLocations
    }

    /// The location of a field's value, falling back to the node's own location.
    public func location(of field: String) -> SourceLocation? { fieldLocations[field] ?? location }

    enum CodingKeys: String, CodingKey { case id, uses, params, inputs, config, location }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        id = try c.decode(String.self, forKey: .id)
        uses = try c.decode(String.self, forKey: .uses)
        params = try c.decodeIfPresent([String: JSONValue].self, forKey: .params) ?? [:]
        inputs = try c.decodeIfPresent(NodeInputs.self, forKey: .inputs)
        config = try c.decodeIfPresent(NodeConfig.self, forKey: .config) ?? NodeConfig()
        location = try c.decodeIfPresent(SourceLocation.self, forKey: .location)
        fieldLocations = [:]
    }

    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(id, forKey: .id)
        try c.encode(uses, forKey: .uses)
        if !params.isEmpty { try c.encode(params, forKey: .params) }
        try c.encodeIfPresent(inputs, forKey: .inputs)
        if config != NodeConfig() { try c.encode(config, forKey: .config) }
        try c.encodeIfPresent(location, forKey: .location)
    }
}

/// `inputs:` — a single context key/path, or a map from input names to keys/paths (values may be
/// lists, as Flowcraft's examples use).
public enum NodeInputs: Sendable, Hashable, Codable {
    /// `inputs: someKey`: the node's input is that context key (or dotted path).
    case key(String)
    /// `inputs: {name: key, …}`: the input is an object built from those keys.
    case mapping([String: JSONValue])

    public init(from decoder: any Decoder) throws {
        let c = try decoder.singleValueContainer()
        if let s = try? c.decode(String.self) {
            self = .key(s)
        } else {
            self = .mapping(try c.decode([String: JSONValue].self))
        }
    }

    public func encode(to encoder: any Encoder) throws {
        var c = encoder.singleValueContainer()
        switch self {
        case .key(let s): try c.encode(s)
        case .mapping(let m): try c.encode(m)
        }
    }
}

/// How a node with several predecessors waits for them.
public enum JoinStrategy: String, Sendable, Hashable, Codable, CaseIterable {
    /// Wait for every live predecessor (the default); dead branches count as arrived.
    case all
    /// Fire once, on the first predecessor that arrives.
    case any
}

/// `config:` — resilience and join settings. Durations are milliseconds.
public struct NodeConfig: Sendable, Hashable, Codable {
    /// Total attempts (Flowcraft semantics: 1 = no retry). `nil` means 1.
    public var maxRetries: Int?
    /// Base delay between attempts, in milliseconds (backoff grows exponentially from it).
    public var retryDelay: Int?
    /// Per-attempt time limit in milliseconds.
    public var timeout: Int?
    /// Node id that takes over (with this node's outgoing edges) when all attempts fail.
    public var fallback: String?
    /// How the node waits for several predecessors (`all` when absent).
    public var joinStrategy: JoinStrategy?

    /// Settings; absent ones take the engine's defaults.
    public init(
        maxRetries: Int? = nil,
        retryDelay: Int? = nil,
        timeout: Int? = nil,
        fallback: String? = nil,
        joinStrategy: JoinStrategy? = nil
    ) {
        self.maxRetries = maxRetries
        self.retryDelay = retryDelay
        self.timeout = timeout
        self.fallback = fallback
        self.joinStrategy = joinStrategy
    }
}

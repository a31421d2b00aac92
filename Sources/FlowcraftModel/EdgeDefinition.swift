/// A directed connection between two nodes, optionally labelled with an action, guarded by a
/// condition and transforming the data that flows along it.
public struct EdgeDefinition: Sendable, Hashable, Codable {
    /// The id of the node the edge leaves.
    public var source: String
    /// The id of the node the edge leads to.
    public var target: String
    /// The action the source must return for the edge to be taken; `nil` for the default edge.
    public var action: String?
    /// A safe expression (see `Expression`); the edge is taken only when it is truthy.
    public var condition: String?
    /// A safe expression whose value becomes the target's input.
    public var transform: String?
    /// Where the edge's mapping starts.
    public var location: SourceLocation?
    /// Where each field's value starts (`source`, `target`, `action`, `condition`, `transform`): for
    /// expressions, the position of the expression's first character. Compile-time only: not encoded.
    public var fieldLocations: [String: SourceLocation]

    /// An edge from `source` to `target`.
    public init(
        source: String,
        target: String,
        action: String? = nil,
        condition: String? = nil,
        transform: String? = nil,
        location: SourceLocation? = nil,
        fieldLocations: [String: SourceLocation] = [:]
    ) {
        self.source = source
        self.target = target
        self.action = action
        self.condition = condition
        self.transform = transform
        self.location = location
        self.fieldLocations = fieldLocations
    }

    /// Where `field`'s value starts, or the edge's own location.
    public func location(of field: String) -> SourceLocation? { fieldLocations[field] ?? location }

    enum CodingKeys: String, CodingKey { case source, target, action, condition, transform, location }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        source = try c.decode(String.self, forKey: .source)
        target = try c.decode(String.self, forKey: .target)
        action = try c.decodeIfPresent(String.self, forKey: .action)
        condition = try c.decodeIfPresent(String.self, forKey: .condition)
        transform = try c.decodeIfPresent(String.self, forKey: .transform)
        location = try c.decodeIfPresent(SourceLocation.self, forKey: .location)
        fieldLocations = [:]
    }

    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(source, forKey: .source)
        try c.encode(target, forKey: .target)
        try c.encodeIfPresent(action, forKey: .action)
        try c.encodeIfPresent(condition, forKey: .condition)
        try c.encodeIfPresent(transform, forKey: .transform)
        try c.encodeIfPresent(location, forKey: .location)
    }
}

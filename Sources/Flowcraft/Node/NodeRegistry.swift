/// Maps `uses` keys to implementations. Built-in keys (`sleep`, `subflow`, …) are provided by the
/// runtime and need not be registered.
public struct NodeRegistry: Sendable {
    private var implementations: [String: any NodeImplementation] = [:]

    /// An empty registry.
    public init() {}

    /// A registry holding `implementations` by `uses` key.
    public init(_ implementations: [String: any NodeImplementation]) {
        self.implementations = implementations
    }

    /// Registers `implementation` for `uses`, replacing an earlier one.
    public mutating func register(_ uses: String, _ implementation: any NodeImplementation) {
        implementations[uses] = implementation
    }

    /// Registers a closure for `uses`, replacing an earlier one.
    public mutating func register(
        _ uses: String,
        _ body: @escaping @Sendable (NodeContext) async throws -> NodeResult
    ) {
        implementations[uses] = ClosureNode(body)
    }

    /// The implementation registered for `uses`, if any.
    public func implementation(for uses: String) -> (any NodeImplementation)? { implementations[uses] }

    /// The registered `uses` keys, sorted.
    public var keys: [String] { implementations.keys.sorted() }
}

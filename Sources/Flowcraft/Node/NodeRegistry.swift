/// Maps `uses` keys to implementations. Built-in keys (`sleep`, `subflow`, …) are provided by the
/// runtime and need not be registered.
public struct NodeRegistry: Sendable {
    private var implementations: [String: any NodeImplementation] = [:]

    public init() {}

    public init(_ implementations: [String: any NodeImplementation]) {
        self.implementations = implementations
    }

    public mutating func register(_ uses: String, _ implementation: any NodeImplementation) {
        implementations[uses] = implementation
    }

    public mutating func register(
        _ uses: String,
        _ body: @escaping @Sendable (NodeContext) async throws -> NodeResult
    ) {
        implementations[uses] = ClosureNode(body)
    }

    public func implementation(for uses: String) -> (any NodeImplementation)? { implementations[uses] }

    public var keys: [String] { implementations.keys.sorted() }
}

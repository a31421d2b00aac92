import Logging

/// The contract every node implementation fulfils, built-in or user-written, whichever engine
/// (in-memory or distributed) runs it. Generated typed protocols bridge into this.
public protocol NodeImplementation: Sendable {
    /// Runs the node once (one attempt). Throwing fails the attempt; ``FatalNodeError`` fails
    /// the run without retries or fallback.
    func run(_ context: NodeContext) async throws -> NodeResult
}

/// What a node returns: its output, the action that routes the next step, and nodes it adds.
public struct NodeResult: Sendable, Hashable {
    /// The node's output (`_outputs.<node>` in the context).
    public var output: JSONValue
    /// Selects the outgoing edges labelled with this action; `nil` takes the unlabelled edges.
    public var action: String?
    /// Nodes to schedule dynamically (used by batch scatter); rarely needed by user code.
    public var dynamicNodes: [NodeDefinition]

    /// A result; by default no output and no action.
    public init(output: JSONValue = .null, action: String? = nil, dynamicNodes: [NodeDefinition] = []) {
        self.output = output
        self.action = action
        self.dynamicNodes = dynamicNodes
    }
}

/// A node implementation written as a closure.
public struct ClosureNode: NodeImplementation {
    let body: @Sendable (NodeContext) async throws -> NodeResult
    /// A node that runs `body`.
    public init(_ body: @escaping @Sendable (NodeContext) async throws -> NodeResult) { self.body = body }
    /// Runs `body`.
    public func run(_ context: NodeContext) async throws -> NodeResult { try await body(context) }
}

/// An error that skips remaining retries and the fallback: the run fails at once.
public struct FatalNodeError: Error, Sendable, CustomStringConvertible {
    /// Why the node failed.
    public var message: String
    /// A fatal error with `message`.
    public init(_ message: String) { self.message = message }
    public var description: String { message }
}

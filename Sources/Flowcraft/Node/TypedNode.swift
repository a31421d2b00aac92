/// A node with typed input, params, output and actions — what generated code conforms to.
///
/// ```swift
/// struct ChargeCard: TypedNode {
///     struct Input: Codable, Sendable { var amount: Int }
///     struct Output: Codable, Sendable { var receipt: String }
///     enum Action: String, Sendable { case charged, declined }
///     func run(_ input: Input, params: EmptyParams, context: NodeContext) async throws -> TypedNodeResult<Output, Action> {
///         TypedNodeResult(Output(receipt: "r-\(input.amount)"), action: .charged)
///     }
/// }
/// registry.register("charge-card", ChargeCard())
/// ```
/// The input is decoded from the node's resolved input and the params from `params:` with
/// `JSONValueDecoder`; a mismatch fails the node at once (no retries) with the coding path. The
/// output is encoded with `JSONValueEncoder`.
public protocol TypedNode: Sendable {
    /// The node's input, decoded from ``NodeContext/input``.
    associatedtype Input: Decodable & Sendable
    /// The node's `params:`, decoded once per attempt (``EmptyParams`` for none).
    associatedtype Params: Decodable & Sendable
    /// The node's output, encoded into `_outputs.<node>`.
    associatedtype Output: Encodable & Sendable
    /// The actions the node may return (``NoAction`` for none).
    associatedtype Action: RawRepresentable & Sendable where Action.RawValue == String

    /// Runs the node once (one attempt) with its decoded input and params.
    func run(_ input: Input, params: Params, context: NodeContext) async throws -> TypedNodeResult<Output, Action>
}

/// What a `TypedNode` returns.
public struct TypedNodeResult<Output: Encodable & Sendable, Action: RawRepresentable & Sendable>: Sendable
where Action.RawValue == String {
    /// The node's output.
    public var output: Output
    /// The action that routes the next step; `nil` takes the unlabelled edges.
    public var action: Action?
    /// Nodes to schedule dynamically; rarely needed by user code.
    public var dynamicNodes: [NodeDefinition]

    /// A result with `output`.
    public init(_ output: Output, action: Action? = nil, dynamicNodes: [NodeDefinition] = []) {
        self.output = output
        self.action = action
        self.dynamicNodes = dynamicNodes
    }
}

/// Params of a node that takes none (decodes from any object).
public struct EmptyParams: Codable, Sendable, Hashable {
    /// No params.
    public init() {}
    public init(from decoder: any Decoder) throws {}
    public func encode(to encoder: any Encoder) throws {}
}

/// Actions of a node that never sets one.
public struct NoAction: RawRepresentable, Sendable, Hashable {
    public var rawValue: String
    public init?(rawValue: String) { nil }
}

/// Runs a `TypedNode` as a `NodeImplementation`.
public struct TypedNodeAdapter<Node: TypedNode>: NodeImplementation {
    /// The typed node it runs.
    public let node: Node

    /// An adapter running `node`.
    public init(_ node: Node) { self.node = node }

    /// Decodes the input and params, runs the node, encodes its output; a decoding error fails the
    /// node at once.
    public func run(_ context: NodeContext) async throws -> NodeResult {
        let decoder = JSONValueDecoder()
        let input: Node.Input
        let params: Node.Params
        do {
            input = try decoder.decode(Node.Input.self, from: context.input)
        } catch {
            throw FatalNodeError("input does not match \(Node.Input.self): \(JSONValueDecoder.describe(error))")
        }
        do {
            params = try decoder.decode(Node.Params.self, from: .object(context.params))
        } catch {
            throw FatalNodeError("params do not match \(Node.Params.self): \(JSONValueDecoder.describe(error))")
        }
        let result = try await node.run(input, params: params, context: context)
        let output: JSONValue
        do {
            output = try JSONValueEncoder().encode(result.output)
        } catch {
            throw FatalNodeError("output could not be encoded: \(JSONValueDecoder.describe(error))")
        }
        return NodeResult(output: output, action: result.action?.rawValue, dynamicNodes: result.dynamicNodes)
    }
}

extension NodeRegistry {
    /// Registers a typed node under `uses`.
    public mutating func register<Node: TypedNode>(_ uses: String, _ node: Node) {
        register(uses, TypedNodeAdapter(node))
    }
}

extension JSONValueDecoder {
    /// The readable part of a coding error (`at items[2]: expected …`).
    public static func describe(_ error: any Error) -> String {
        switch error {
        case DecodingError.typeMismatch(_, let c), DecodingError.valueNotFound(_, let c),
            DecodingError.keyNotFound(_, let c), DecodingError.dataCorrupted(let c):
            return c.debugDescription
        case EncodingError.invalidValue(_, let c):
            return c.debugDescription
        default:
            return String(describing: error)
        }
    }
}

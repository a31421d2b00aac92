import Logging

/// Everything a node sees while it runs. Cheap to copy; `Sendable`.
public struct NodeContext: Sendable {
    /// The run's id.
    public let runID: String
    /// The id of the blueprint the run runs.
    public let blueprintID: String
    /// The running node's id.
    public let nodeID: String
    /// The node's resolved input (from `inputs:`, an edge `transform`, or the predecessor's output).
    public let input: JSONValue
    /// The node's static `params:`.
    public let params: [String: JSONValue]
    /// 1-based attempt number (retries count up).
    public let attempt: Int
    /// The run's shared state (Flowcraft's context): read and write keys.
    public let state: any WorkflowState
    /// For a worker of a `batch-scatter`: the 0-based position of its item in the scattered list
    /// (its output keeps that slot in the gather); `nil` for every other node.
    public let batchItemIndex: Int?
    /// The runtime's logger with this node's `runId` and `nodeId` as metadata (added when read, so
    /// nodes that never log pay nothing for it).
    public var logger: Logger {
        var logger = baseLogger
        var handler = logger.handler
        var metadata = handler.metadata
        metadata["runId"] = .string(runID)
        metadata["nodeId"] = .string(nodeID)
        // One metadata write: a handler may reformat its metadata on every change.
        handler.metadata = metadata
        logger.handler = handler
        return logger
    }
    /// The logger as given (without the node's metadata).
    let baseLogger: Logger
    /// Values the application injected into the runtime (database handles, clients, …).
    public let dependencies: Dependencies

    /// A context; engines build them, tests of node implementations may too.
    public init(
        runID: String,
        blueprintID: String,
        nodeID: String,
        input: JSONValue,
        params: [String: JSONValue],
        attempt: Int,
        state: any WorkflowState,
        logger: Logger,
        dependencies: Dependencies,
        batchItemIndex: Int? = nil
    ) {
        self.runID = runID
        self.blueprintID = blueprintID
        self.nodeID = nodeID
        self.input = input
        self.params = params
        self.attempt = attempt
        self.state = state
        self.baseLogger = logger
        self.dependencies = dependencies
        self.batchItemIndex = batchItemIndex
    }

    /// True once the run is cancelled or the node's timeout has passed; long nodes should check it
    /// (or call `try Task.checkCancellation()`).
    public var isCancelled: Bool { Task.isCancelled }
}

/// A run's shared key/value state. In memory for the embedded engine; a Redis hash when distributed.
public protocol WorkflowState: Sendable {
    /// The value of `key`, or `nil` when it is not set.
    func get(_ key: String) async throws -> JSONValue?
    /// Sets `key` to `value`.
    func set(_ key: String, _ value: JSONValue) async throws
    /// Removes `key`.
    func delete(_ key: String) async throws
    /// Sets several keys at once (a single round trip when distributed).
    func patch(_ values: [String: JSONValue]) async throws
    /// Every key and value (costly when distributed; prefer `get`).
    func snapshot() async throws -> [String: JSONValue]
}

/// Type-keyed values injected by the application, looked up by nodes.
public struct Dependencies: Sendable {
    private var values: [ObjectIdentifier: any Sendable] = [:]

    /// No dependencies.
    public init() {}

    /// Registers `value` under its type (or `type`), replacing an earlier one.
    public mutating func register<T: Sendable>(_ value: T, as type: T.Type = T.self) {
        values[ObjectIdentifier(type)] = value
    }

    /// The value registered for `type`, if any.
    public func get<T: Sendable>(_ type: T.Type = T.self) -> T? {
        values[ObjectIdentifier(type)] as? T
    }
}

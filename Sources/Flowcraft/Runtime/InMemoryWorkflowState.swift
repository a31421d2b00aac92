import Synchronization

/// A run's context held in memory: a dictionary behind a mutex, shared by the engine and the
/// run's nodes (which may run concurrently).
public final class InMemoryWorkflowState: WorkflowState {
    private let storage: Mutex<[String: JSONValue]>

    /// `capacity` reserves room for that many keys up front (the engine reserves two per node:
    /// `_inputs.` and `_outputs.`), sparing rehashes on large runs.
    public init(_ initial: [String: JSONValue] = [:], capacity: Int = 0) {
        var dictionary = initial
        if capacity > dictionary.count { dictionary.reserveCapacity(min(capacity, 1 << 21)) }
        storage = Mutex(dictionary)
    }

    /// The value under `key`, synchronously.
    public func value(forKey key: String) -> JSONValue? { storage.withLock { $0[key] } }

    /// Whether `key` is present, synchronously.
    public func contains(_ key: String) -> Bool { storage.withLock { $0[key] != nil } }

    /// Sets `key`, synchronously.
    public func setValue(_ value: JSONValue, forKey key: String) { storage.withLock { $0[key] = value } }

    /// Removes `key`, synchronously.
    public func removeValue(forKey key: String) { storage.withLock { _ = $0.removeValue(forKey: key) } }

    /// A copy of everything (copy-on-write: O(1) until either side writes).
    public var dictionary: [String: JSONValue] { storage.withLock { $0 } }

    public func get(_ key: String) async throws -> JSONValue? { value(forKey: key) }
    public func set(_ key: String, _ value: JSONValue) async throws { setValue(value, forKey: key) }
    public func delete(_ key: String) async throws { removeValue(forKey: key) }
    public func patch(_ values: [String: JSONValue]) async throws {
        storage.withLock { dict in
            for (k, v) in values { dict[k] = v }
        }
    }
    public func snapshot() async throws -> [String: JSONValue] { dictionary }
}

/// The state a node sees when events are on: writes are reported as `context:change` events
/// naming the node.
struct ObservedWorkflowState: WorkflowState {
    let base: InMemoryWorkflowState
    let report: @Sendable (String, JSONValue?) -> Void

    func get(_ key: String) async throws -> JSONValue? { base.value(forKey: key) }
    func set(_ key: String, _ value: JSONValue) async throws {
        base.setValue(value, forKey: key)
        report(key, value)
    }
    func delete(_ key: String) async throws {
        base.removeValue(forKey: key)
        report(key, nil)
    }
    func patch(_ values: [String: JSONValue]) async throws {
        try await base.patch(values)
        for (k, v) in values.sorted(by: { $0.key < $1.key }) { report(k, v) }
    }
    func snapshot() async throws -> [String: JSONValue] { base.dictionary }
}

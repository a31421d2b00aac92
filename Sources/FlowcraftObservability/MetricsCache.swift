import Synchronization

/// Metric objects made once per key and reused, so recording a node attempt allocates nothing
/// after the first attempt of each node. Entries are never dropped: keys are blueprint and node
/// ids, a set bounded by the blueprints the application runs.
final class MetricsCache<Key: Hashable & Sendable, Value: Sendable>: Sendable {
    private let entries = Mutex<[Key: Value]>([:])
    private let make: @Sendable (Key) -> Value

    init(make: @escaping @Sendable (Key) -> Value) {
        self.make = make
    }

    /// The value for `key`, made on first use.
    subscript(key: Key) -> Value {
        entries.withLock { entries in
            if let value = entries[key] { return value }
            let value = make(key)
            entries[key] = value
            return value
        }
    }
}

/// A node of a blueprint: the dimensions shared by the per-node metrics.
struct NodeMetricKey: Hashable, Sendable {
    var blueprintID: String
    var nodeID: String
}

/// A node and how one of its attempts ended: the dimensions of the duration timer.
struct NodeOutcomeKey: Hashable, Sendable {
    var node: NodeMetricKey
    var outcome: NodeAttemptOutcome
}

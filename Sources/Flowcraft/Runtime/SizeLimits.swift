/// Limits on the size of what nodes put into a run's context, measured as the bytes of the value's
/// JSON text (what the distributed engine stores). One rule for both engines: a node whose output or
/// whose own context write is larger than its limit fails the run at once (no retry, no fallback),
/// with an error naming the node, the size and the limit; nothing of that completion is stored.
///
/// The distributed engine applies ``distributed`` by default (a 50 MB value would block Redis for
/// seconds while one script copies it); the in-memory engine applies ``unlimited`` unless configured.
public struct SizeLimits: Sendable, Hashable {
    /// Largest node output (`_outputs.<node>`), in bytes of JSON text; `nil` = no limit.
    public var maximumOutputBytes: Int?
    /// Largest value a node writes into the context itself (`ctx.state.set`), in bytes of JSON text;
    /// `nil` = no limit.
    public var maximumValueBytes: Int?
    /// Largest final-status payload (the run's context in `workflow:status:<runId>`) of the
    /// distributed engine; above it the status holds `{"truncated":true,"bytes":N}` instead and the
    /// full context stays in the state hash for the state TTL. `nil` = no limit.
    public var maximumStatusPayloadBytes: Int?
    /// Largest total size of a run's context: the sum over its entries of the key's bytes and the
    /// bytes of the value's JSON text (a write replaces the old value's size). A node completion
    /// whose writes would take the total above it fails the run, naming the node, the total and the
    /// limit; `nil` = no limit.
    public var maximumRunContextBytes: Int?

    /// Limits; `nil` (the default) means no limit; negative values count as 0.
    public init(
        maximumOutputBytes: Int? = nil, maximumValueBytes: Int? = nil, maximumStatusPayloadBytes: Int? = nil,
        maximumRunContextBytes: Int? = nil
    ) {
        self.maximumOutputBytes = maximumOutputBytes.map { max(0, $0) }
        self.maximumValueBytes = maximumValueBytes.map { max(0, $0) }
        self.maximumStatusPayloadBytes = maximumStatusPayloadBytes.map { max(0, $0) }
        self.maximumRunContextBytes = maximumRunContextBytes.map { max(0, $0) }
    }

    /// No limits (the in-memory engine's default).
    public static let unlimited = SizeLimits()

    /// The distributed engine's default: 8 MiB per output and per value, 1 MiB of status payload,
    /// 64 MiB of run context.
    public static let distributed = SizeLimits(
        maximumOutputBytes: 8 << 20, maximumValueBytes: 8 << 20, maximumStatusPayloadBytes: 1 << 20,
        maximumRunContextBytes: 64 << 20)

    /// Whether any node-side limit applies (outputs or values): nothing need be measured otherwise.
    public var limitsNodes: Bool { maximumOutputBytes != nil || maximumValueBytes != nil }

    /// How deep arrays and objects may nest in a value a run stores (its context, an output, a
    /// resume's output) in the distributed engine: JSON nested deeper than this does not come back
    /// from Redis as it went in (parsers stop at 512 levels), so it is refused instead.
    public static let maximumNestingDepth = 256

    /// The violation of `value` (node `nodeID`'s output, or its write under `key`) nesting deeper
    /// than ``maximumNestingDepth``.
    public static func checkNesting(_ value: JSONValue, key: String? = nil, nodeID: String) -> SizeLimitViolation? {
        guard value.isNested(deeperThan: maximumNestingDepth) else { return nil }
        return SizeLimitViolation(nodeID: nodeID, subject: .nesting(key: key), bytes: 0, limit: maximumNestingDepth)
    }

    /// The violation of node `nodeID`'s output, if it is larger than ``maximumOutputBytes``.
    public func checkOutput(_ output: JSONValue, nodeID: String) -> SizeLimitViolation? {
        guard let limit = maximumOutputBytes else { return nil }
        let bytes = Self.byteCount(output)
        guard bytes > limit else { return nil }
        return SizeLimitViolation(nodeID: nodeID, subject: .output, bytes: bytes, limit: limit)
    }

    /// The violation of a value node `nodeID` writes under `key`, if it is larger than
    /// ``maximumValueBytes``.
    public func checkValue(_ value: JSONValue, key: String, nodeID: String) -> SizeLimitViolation? {
        guard let limit = maximumValueBytes else { return nil }
        let bytes = Self.byteCount(value)
        guard bytes > limit else { return nil }
        return SizeLimitViolation(nodeID: nodeID, subject: .value(key: key), bytes: bytes, limit: limit)
    }

    /// The size the limits measure: the UTF-8 bytes of the value's JSON text.
    public static func byteCount(_ value: JSONValue) -> Int {
        JSONText.serialize(value).utf8.count
    }

    /// The size ``maximumRunContextBytes`` counts for one context entry: its key's bytes and its
    /// value's JSON text.
    public static func entryByteCount(key: String, value: JSONValue) -> Int {
        key.utf8.count + byteCount(value)
    }

    /// The violation of node `nodeID`'s completion that takes the run's context to `total` bytes, if
    /// that is above ``maximumRunContextBytes``.
    public func checkRunContext(total: Int, nodeID: String) -> SizeLimitViolation? {
        guard let limit = maximumRunContextBytes, total > limit else { return nil }
        return SizeLimitViolation(nodeID: nodeID, subject: .runContext, bytes: total, limit: limit)
    }
}

/// A node's output or context write above its ``SizeLimits`` limit: the run fails with ``message``.
public struct SizeLimitViolation: Error, Sendable, Hashable, CustomStringConvertible {
    /// What was too large.
    public enum Subject: Sendable, Hashable {
        /// The node's output.
        case output
        /// A value the node wrote under `key`.
        case value(key: String)
        /// The run's whole context (``SizeLimits/maximumRunContextBytes``).
        case runContext
        /// The output (`key` nil) or a value nested deeper than ``SizeLimits/maximumNestingDepth``
        /// (`limit` is the depth then; `bytes` is 0).
        case nesting(key: String?)
    }

    /// The node whose output or write was too large.
    public var nodeID: String
    /// What was too large.
    public var subject: Subject
    /// Its size in bytes (JSON text).
    public var bytes: Int
    /// The limit it exceeded.
    public var limit: Int

    /// What was too large, its size and the limit (the failure's message; the run's error names
    /// the node as well).
    public var message: String {
        switch subject {
        case .output:
            return "output of \(bytes) bytes exceeds the limit of \(limit) bytes (maximumOutputBytes)"
        case .value(let key):
            return "context value '\(key)' of \(bytes) bytes exceeds the limit of \(limit) bytes (maximumValueBytes)"
        case .runContext:
            return "the run's context would grow to \(bytes) bytes, over the limit of \(limit) bytes (maximumRunContextBytes)"
        case .nesting(let key):
            return "\(key.map { "context value '\($0)'" } ?? "output") nests arrays and objects more than \(limit) levels deep (SizeLimits.maximumNestingDepth)"
        }
    }

    public var description: String { "node '\(nodeID)': \(message)" }
}

/// A failure of the distributed engine with a readable reason: bad job payloads, unknown
/// blueprints or nodes, runs that cannot start, time-outs waiting for a result.
public struct DistributedError: Error, Sendable, Hashable, CustomStringConvertible {
    public var message: String
    public init(_ message: String) { self.message = message }
    public var description: String { message }
}

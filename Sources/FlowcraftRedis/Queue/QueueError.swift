/// A queue operation that could not be done, other than a Redis failure (which is a `RedisError`).
public struct QueueError: Error, Sendable, Hashable, CustomStringConvertible {
    public let message: String

    public init(_ message: String) { self.message = message }

    public var description: String { message }
}

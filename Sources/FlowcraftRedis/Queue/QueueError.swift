/// A queue operation that could not be done, other than a Redis failure (which is a `RedisError`).
/// ``cause`` says which, for code that handles some of them; ``message`` is for people.
public struct QueueError: Error, Sendable, Hashable, CustomStringConvertible {
    /// What went wrong, to switch on.
    public enum Cause: Sendable, Hashable {
        /// A queue name or key prefix that is empty or contains `:`.
        case invalidName
        /// Invalid job options (id, delay, priority, attempts, deduplication id).
        case invalidJobOptions
        /// Invalid worker options.
        case invalidWorkerOptions
        /// A worker run twice, or after `close()`.
        case workerState
        /// Redis answered something the queue's scripts never return.
        case unexpectedReply
        /// Anything else (see the message).
        case other
    }

    /// What went wrong.
    public let message: String
    /// What kind of problem it is, to switch on.
    public let cause: Cause

    /// An error saying `message`.
    public init(_ message: String, cause: Cause = .other) {
        self.message = message
        self.cause = cause
    }

    public var description: String { message }
}

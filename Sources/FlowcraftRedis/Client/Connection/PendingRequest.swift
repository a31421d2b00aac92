/// Commands submitted by one caller, waiting on the connection thread for their replies.
///
/// An empty `commands` list only asks for the connection to be established (used by `connect`).
struct PendingRequest: Sendable {
    let commands: [RedisCommand]
    /// Overrides the configured command timeout (blocking commands need longer).
    let timeout: Duration?
    let continuation: UnsafeContinuation<Result<[RedisReply], RedisError>, Never>
}

/// Cross-cutting behaviour around every node attempt (Flowcraft's `beforeNode`, `afterNode`,
/// `aroundNode`). All requirements have do-nothing defaults; implement the ones you need.
///
/// Order: every `beforeNode` in array order, then the `aroundNode` chain (the first middleware is
/// the outermost), then every `afterNode` in reverse order with the result or the error.
public protocol NodeMiddleware: Sendable {
    /// Runs before the attempt; throwing fails the attempt.
    func beforeNode(_ context: NodeContext) async throws
    /// Runs after the attempt with its result or error.
    func afterNode(_ context: NodeContext, result: NodeResult?, error: (any Error)?) async
    /// Wraps the attempt: call `next` to run it (or don't, to short-circuit).
    func aroundNode(
        _ context: NodeContext, next: @Sendable () async throws -> NodeResult
    ) async throws -> NodeResult
}

extension NodeMiddleware {
    public func beforeNode(_ context: NodeContext) async throws {}
    public func afterNode(_ context: NodeContext, result: NodeResult?, error: (any Error)?) async {}
    public func aroundNode(
        _ context: NodeContext, next: @Sendable () async throws -> NodeResult
    ) async throws -> NodeResult {
        try await next()
    }
}

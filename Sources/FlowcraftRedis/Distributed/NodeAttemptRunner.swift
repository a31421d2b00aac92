import Flowcraft

/// Runs one node implementation with its per-attempt timeout (the node's task is cancelled when it
/// passes) and, in in-process retry mode, its attempts with backoff.
// TODO(runtime): replace with the runtime's node executor once it exposes one (retries, timeouts,
// middleware and events would then match the in-memory engine exactly).
struct NodeAttemptRunner: Sendable {
    enum Failure: Error, CustomStringConvertible {
        case failed(String, attempts: Int, fatal: Bool)
        var description: String {
            switch self { case .failed(let message, _, _): return message }
        }
    }

    let backoff = RetryBackoff.default
    /// Applied around every attempt, in the in-memory engine's order.
    var middleware: [any NodeMiddleware] = []

    /// Runs attempts `firstAttempt…lastAttempt` (1-based) and returns the first success.
    func run(
        _ implementation: any NodeImplementation, config: NodeConfig, firstAttempt: Int, lastAttempt: Int,
        makeContext: (Int) -> NodeContext
    ) async throws(Failure) -> NodeResult {
        var attempt = firstAttempt
        while true {
            let context = makeContext(attempt)
            do {
                return try await withMiddleware(context) {
                    try await Self.attempt(implementation, context: context, timeout: config.timeout)
                }
            } catch let fatal as FatalNodeError {
                throw .failed(fatal.message, attempts: attempt, fatal: true)
            } catch {
                if attempt >= lastAttempt || Task.isCancelled {
                    throw .failed(String(describing: error), attempts: attempt, fatal: false)
                }
            }
            let delay = backoff.delay(base: config.retryDelay ?? 0, afterAttempt: attempt)
            if delay > 0 { try? await Task.sleep(for: .milliseconds(delay)) }
            attempt += 1
        }
    }

    /// Every `beforeNode` in order, the `aroundNode` chain (first = outermost), every `afterNode` in
    /// reverse with the result or the error.
    private func withMiddleware(
        _ context: NodeContext, _ body: @escaping @Sendable () async throws -> NodeResult
    ) async throws -> NodeResult {
        if middleware.isEmpty { return try await body() }
        for m in middleware { try await m.beforeNode(context) }
        do {
            var next = body
            for m in middleware.reversed() {
                let inner = next
                next = { try await m.aroundNode(context, next: inner) }
            }
            let result = try await next()
            for m in middleware.reversed() { await m.afterNode(context, result: result, error: nil) }
            return result
        } catch {
            for m in middleware.reversed() { await m.afterNode(context, result: nil, error: error) }
            throw error
        }
    }

    private static func attempt(
        _ implementation: any NodeImplementation, context: NodeContext, timeout: Int?
    ) async throws -> NodeResult {
        guard let timeout, timeout > 0 else { return try await implementation.run(context) }
        return try await withThrowingTaskGroup(of: NodeResult?.self) { group in
            group.addTask { try await implementation.run(context) }
            group.addTask {
                try await Task.sleep(for: .milliseconds(timeout))
                return nil
            }
            defer { group.cancelAll() }
            guard let first = try await group.next() else { throw NodeTimeout(milliseconds: timeout) }
            guard let result = first else { throw NodeTimeout(milliseconds: timeout) }
            return result
        }
    }
}

/// A node attempt that ran past its `timeout`.
struct NodeTimeout: Error, CustomStringConvertible {
    let milliseconds: Int
    var description: String { "timed out after \(milliseconds) ms" }
}

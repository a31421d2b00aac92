/// One node execution with everything it needs captured as `Sendable` values, so it can run in a
/// child task: the attempt loop (retries with backoff on the runtime's clock), per-attempt timeouts
/// and middleware.
struct NodeJob: Sendable {
    enum Body: Sendable {
        case implementation(any NodeImplementation)
        case subflow(SubflowCall)
    }

    let body: Body
    /// The context of the first attempt; later attempts copy it with their number.
    let context: NodeContext
    let maxAttempts: Int
    let retryDelay: Int
    let timeout: Int?
    let runtime: FlowRuntime
    let events: EventEmitter?

    func execute() async -> JobOutcome {
        switch body {
        case .implementation(let implementation):
            return await attempts(implementation)
        case .subflow(let call):
            return await call.execute(context)
        }
    }

    private func attempts(_ implementation: any NodeImplementation) async -> JobOutcome {
        // Without middleware or timeout the node is called directly (one async frame less per node).
        let direct = runtime.middleware.isEmpty && (timeout ?? 0) <= 0
        var attempt = 1
        while true {
            if Task.isCancelled { return .cancelled }
            let ctx = attempt == 1 ? context : context.with(attempt: attempt)
            do {
                let result = try await direct ? implementation.run(ctx) : runAttempt(implementation, ctx)
                return .success(result)
            } catch let error as FatalNodeError {
                events?.emit(.nodeError, nodeID: ctx.nodeID, Self.errorPayload(error, attempt: attempt, willRetry: false))
                return .failure(message: error.message, attempts: attempt, fatal: true)
            } catch {
                if Task.isCancelled && !(error is NodeTimeoutError) { return .cancelled }
                let willRetry = attempt < maxAttempts
                events?.emit(.nodeError, nodeID: ctx.nodeID, Self.errorPayload(error, attempt: attempt, willRetry: willRetry))
                guard willRetry else {
                    return .failure(message: Self.describe(error), attempts: attempt, fatal: false)
                }
                let delay = runtime.retryBackoff.delay(base: retryDelay, afterAttempt: attempt)
                events?.emit(.nodeRetry, nodeID: ctx.nodeID, ["attempt": .int(attempt + 1), "delayMs": .int(Int(delay))])
                if delay > 0 {
                    do {
                        try await runtime.clock.sleep(milliseconds: delay)
                    } catch {
                        return .cancelled
                    }
                }
                attempt += 1
            }
        }
    }

    private func runAttempt(_ implementation: any NodeImplementation, _ ctx: NodeContext) async throws -> NodeResult {
        let middleware = runtime.middleware
        if middleware.isEmpty { return try await invoke(implementation, ctx) }
        for m in middleware { try await m.beforeNode(ctx) }
        do {
            var next: @Sendable () async throws -> NodeResult = { try await invoke(implementation, ctx) }
            for m in middleware.reversed() {
                let inner = next
                next = { try await m.aroundNode(ctx, next: inner) }
            }
            let result = try await next()
            for m in middleware.reversed() { await m.afterNode(ctx, result: result, error: nil) }
            return result
        } catch {
            for m in middleware.reversed() { await m.afterNode(ctx, result: nil, error: error) }
            throw error
        }
    }

    private func invoke(_ implementation: any NodeImplementation, _ ctx: NodeContext) async throws -> NodeResult {
        guard let timeout, timeout > 0 else { return try await implementation.run(ctx) }
        // Race the node against a real-time timer; the loser is cancelled. A node that ignores
        // cancellation delays the failure until it returns, but its result is discarded.
        return try await withThrowingTaskGroup(of: NodeResult?.self) { group in
            group.addTask { try await implementation.run(ctx) }
            group.addTask {
                try await Task.sleep(for: .milliseconds(timeout))
                return nil
            }
            defer { group.cancelAll() }
            guard let first = try await group.next(), let result = first else {
                throw NodeTimeoutError(nodeID: ctx.nodeID, milliseconds: timeout)
            }
            return result
        }
    }

    static func describe(_ error: any Error) -> String {
        if let e = error as? CustomStringConvertible { return e.description }
        return String(describing: error)
    }

    static func errorPayload(_ error: any Error, attempt: Int, willRetry: Bool) -> [String: JSONValue] {
        ["error": .string(describe(error)), "attempt": .int(attempt), "willRetry": .bool(willRetry)]
    }
}

/// How a node execution ended.
enum JobOutcome: Sendable {
    case success(NodeResult)
    case failure(message: String, attempts: Int, fatal: Bool)
    case cancelled
    /// A subflow whose child run paused; the snapshot resumes it.
    case suspendedSubflow(RunSnapshot)
}

/// A node attempt ran past its `timeout`.
public struct NodeTimeoutError: Error, Sendable, Hashable, CustomStringConvertible {
    public var nodeID: String
    public var milliseconds: Int
    public var description: String { "timed out after \(milliseconds) ms" }
}

extension NodeContext {
    func with(attempt: Int) -> NodeContext {
        NodeContext(
            runID: runID, blueprintID: blueprintID, nodeID: nodeID, input: input, params: params,
            attempt: attempt, state: state, logger: logger, dependencies: dependencies)
    }
}

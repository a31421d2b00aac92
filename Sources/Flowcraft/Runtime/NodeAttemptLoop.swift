/// The attempts of one node implementation: retries with backoff on a clock, a real-time timeout per
/// attempt and the middleware around each attempt. The in-memory runtime and the distributed engine
/// both run nodes through it, so a node behaves the same in either.
package struct NodeAttemptLoop: Sendable {
    package let implementation: any NodeImplementation
    /// The number of the last attempt (1-based); the loop stops after it fails.
    package let lastAttempt: Int
    /// The node's last attempt when the attempts after ``lastAttempt`` are made elsewhere (the
    /// distributed engine's queue retry mode: BullMQ retries the job): `node:error`'s `willRetry`
    /// counts them (``announcingAttempts(upTo:)``). `nil`: this loop makes every attempt.
    package private(set) var lastAttemptAnywhere: Int? = nil

    /// This loop, its `node:error` events counting attempts up to `last` that others make after it.
    package func announcingAttempts(upTo last: Int) -> NodeAttemptLoop {
        var loop = self
        loop.lastAttemptAnywhere = last
        return loop
    }
    /// The base delay between attempts in milliseconds, grown by `backoff`.
    package let retryDelay: Int
    /// Milliseconds one attempt may take; `nil` or `0` for no limit.
    package let timeout: Int?
    package let middleware: [any NodeMiddleware]
    package let backoff: RetryBackoff
    /// Where the delays between attempts are slept.
    package let clock: any RuntimeClock
    package let events: EventEmitter?

    package init(
        implementation: any NodeImplementation, lastAttempt: Int, retryDelay: Int, timeout: Int?,
        middleware: [any NodeMiddleware], backoff: RetryBackoff, clock: any RuntimeClock
    ) {
        self.init(
            implementation: implementation, lastAttempt: lastAttempt, retryDelay: retryDelay, timeout: timeout,
            middleware: middleware, backoff: backoff, clock: clock, events: nil)
    }

    package init(
        implementation: any NodeImplementation, lastAttempt: Int, retryDelay: Int, timeout: Int?,
        middleware: [any NodeMiddleware], backoff: RetryBackoff, clock: any RuntimeClock, events: EventEmitter?
    ) {
        self.implementation = implementation
        self.lastAttempt = lastAttempt
        self.retryDelay = retryDelay
        self.timeout = timeout
        self.middleware = middleware
        self.backoff = backoff
        self.clock = clock
        self.events = events
    }

    /// Runs attempts from `context.attempt` through `lastAttempt` and returns how the node ended:
    /// its first success, the last failure (at once for a `FatalNodeError`), or `.cancelled` when
    /// the task was cancelled (a timeout is a failure, not a cancellation).
    ///
    /// The first attempt's success is the hot path and keeps a small async frame (a node execution
    /// allocates its frames from its task's slabs: a large frame cost every execution in a child
    /// task a 2.6 KB allocation outside malloc's thread cache); a failure continues in
    /// ``retry(after:of:stamp:)``.
    @inline(__always)
    package func run(_ context: NodeContext) async -> JobOutcome { await run(context, stamp: nil) }

    /// ``run(_:)`` of an execution the in-memory run records as `stamp`: nothing is reported while
    /// the first attempt succeeds (the run times it from the execution's preparation to its
    /// completion); once an attempt fails, each attempt's start, end and error go to the node's
    /// state (``ExecutionReportingState``), under the stamp's token.
    func run(_ context: NodeContext, stamp: ExecutionStamp?) async -> JobOutcome {
        if Task.isCancelled { return .cancelled }
        do {
            let result = Self.normalized(try await attempt(context))
            // A later attempt when BullMQ made the earlier ones (queue retry mode).
            return context.attempt <= 1 ? .success(result) : .laterSuccess(result, attempt: context.attempt)
        } catch {
            return await retry(after: error, of: context, stamp: stamp)
        }
    }

    /// One attempt: the node called directly, without middleware or timeout (one async frame less
    /// per node), else through ``runAttempt(_:)``.
    @inline(__always)
    private func attempt(_ ctx: NodeContext) async throws -> NodeResult {
        if middleware.isEmpty && (timeout ?? 0) <= 0 { return try await implementation.run(ctx) }
        return try await runAttempt(ctx)
    }

    /// Node ids compare as NFC in every engine, dynamic ones too.
    private static func normalized(_ result: NodeResult) -> NodeResult {
        guard !result.dynamicNodes.isEmpty else { return result }
        var result = result
        result.dynamicNodes = result.dynamicNodes.map { $0.normalizingIdentifiers() }
        return result
    }

    /// The attempts after `context.attempt` failed with `firstError`: reports it (with a `stamp`),
    /// then retries (with backoff) until an attempt succeeds, a failure is fatal or `lastAttempt`
    /// failed.
    @inline(never)
    private func retry(
        after firstError: any Error, of context: NodeContext, stamp: ExecutionStamp?
    ) async -> JobOutcome {
        var error = firstError
        var attempt = context.attempt
        var ctx = context
        // The start of a retry (the first attempt starts when the execution was prepared).
        var retryStartedAt: Int64?
        while true {
            if let fatal = error as? FatalNodeError {
                reportAttempt(failedWith: fatal, startedAt: retryStartedAt, of: ctx, stamp: stamp)
                events?.emit(.nodeError, nodeID: ctx.nodeID, Self.errorPayload(fatal, attempt: attempt, willRetry: false))
                return .failure(message: fatal.message, attempts: attempt, fatal: true)
            }
            if Task.isCancelled && !(error is NodeTimeoutError) { return .cancelled }
            reportAttempt(failedWith: error, startedAt: retryStartedAt, of: ctx, stamp: stamp)
            let willRetry = attempt < max(lastAttempt, lastAttemptAnywhere ?? lastAttempt)
            events?.emit(.nodeError, nodeID: ctx.nodeID, Self.errorPayload(error, attempt: attempt, willRetry: willRetry))
            guard attempt < lastAttempt else {
                return .failure(message: Self.describe(error), attempts: attempt, fatal: false)
            }
            let delay = backoff.delay(base: retryDelay, afterAttempt: attempt)
            events?.emit(.nodeRetry, nodeID: ctx.nodeID, ["attempt": .int(attempt + 1), "delayMs": .int(Int(delay))])
            if delay > 0 {
                do {
                    try await clock.sleep(milliseconds: delay)
                } catch {
                    return .cancelled
                }
            }
            attempt += 1
            if stamp != nil { retryStartedAt = clock.now() }
            if Task.isCancelled { return .cancelled }
            ctx = context.with(attempt: attempt)
            do {
                let result = try await self.attempt(ctx)
                if let retryStartedAt { reportAttempt(failedWith: nil, startedAt: retryStartedAt, of: ctx, stamp: stamp) }
                return .laterSuccess(Self.normalized(result), attempt: attempt)
            } catch let next {
                error = next
            }
        }
    }

    /// Reports an attempt that ends now (failed with `error`, or succeeded) to the run's history,
    /// when it records one: from `startedAt`, or from the execution's preparation for the first.
    private func reportAttempt(failedWith error: (any Error)?, startedAt: Int64?, of ctx: NodeContext, stamp: ExecutionStamp?) {
        guard let stamp, let state = ctx.state as? any ExecutionReportingState else { return }
        state.report(
            RunHistoryEvent.Attempt(
                startedAt: startedAt ?? stamp.preparedAt, endedAt: clock.now(), error: error.map(Self.describe)))
    }

    /// Every `beforeNode` in order, the `aroundNode` chain (first = outermost), every `afterNode` in
    /// reverse with the result or the error.
    @inline(never)
    private func runAttempt(_ ctx: NodeContext) async throws -> NodeResult {
        if middleware.isEmpty { return try await invoke(ctx) }
        for m in middleware { try await m.beforeNode(ctx) }
        do {
            var next: @Sendable () async throws -> NodeResult = { try await invoke(ctx) }
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

    private func invoke(_ ctx: NodeContext) async throws -> NodeResult {
        guard let timeout, timeout > 0 else { return try await implementation.run(ctx) }
        // Race the node against a real-time timer; the loser is cancelled. A node that ignores
        // cancellation delays the failure until it returns, but its result is discarded.
        let implementation = self.implementation
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

    /// The error's `description` when it has one (`String(describing:)` prefers it).
    static func describe(_ error: any Error) -> String {
        String(describing: error)
    }

    static func errorPayload(_ error: any Error, attempt: Int, willRetry: Bool) -> [String: JSONValue] {
        errorPayload(message: describe(error), attempt: attempt, willRetry: willRetry)
    }

    /// `node:error`'s payload: the error, the attempt that failed, and whether another follows. Also
    /// the payload of a failure no attempt reported (a built-in's, a limit's, a missing
    /// implementation's: attempt 1, no retry), which both engines emit too.
    package static func errorPayload(message: String, attempt: Int, willRetry: Bool) -> [String: JSONValue] {
        ["error": .string(message), "attempt": .int(attempt), "willRetry": .bool(willRetry)]
    }
}

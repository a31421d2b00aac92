/// One node execution with everything it needs captured as `Sendable` values, so it can run in a
/// child task: a subflow call, or a node implementation run by ``NodeAttemptLoop`` (retries with
/// backoff on the runtime's clock, per-attempt timeouts and middleware).
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
    /// The execution's place in the run's history (when the run records history): its node state
    /// (``ExecutionReportingState``) reports the node's writes and, through the attempt loop, failed
    /// attempts under its token; it goes back with the outcome.
    var stamp: ExecutionStamp? = nil

    func execute() async -> JobOutcome {
        switch body {
        case .implementation(let implementation):
            return await attempts(implementation)
        case .subflow(let call):
            return await call.execute(context)
        }
    }

    private func attempts(_ implementation: any NodeImplementation) async -> JobOutcome {
        let loop = NodeAttemptLoop(
            implementation: implementation, lastAttempt: maxAttempts, retryDelay: retryDelay, timeout: timeout,
            middleware: runtime.middleware, backoff: runtime.retryBackoff, clock: runtime.clock, events: events)
        return await loop.run(context, stamp: stamp)
    }
}

/// How a node execution ended.
package enum JobOutcome: Sendable {
    /// The first attempt succeeded.
    case success(NodeResult)
    /// Attempt `attempt` (after 1) succeeded: a limit that refuses its output fails that attempt.
    /// Boxed: rare, and every async frame an outcome passes through would hold room for the count.
    indirect case laterSuccess(NodeResult, attempt: Int)
    case failure(message: String, attempts: Int, fatal: Bool)
    case cancelled
    /// A subflow whose child run paused; the snapshot resumes it. Boxed: a snapshot is several
    /// times the other cases' size, and every async frame a node's outcome passes through (in the
    /// node's task) would hold room for it.
    indirect case suspendedSubflow(RunSnapshot)
}

/// A node attempt ran past its `timeout`.
public struct NodeTimeoutError: Error, Sendable, Hashable, CustomStringConvertible {
    /// The node that timed out.
    public var nodeID: String
    /// Its `timeout`, in milliseconds.
    public var milliseconds: Int
    public var description: String { "timed out after \(milliseconds) ms" }
}

extension NodeContext {
    func with(attempt: Int) -> NodeContext {
        NodeContext(
            runID: runID, blueprintID: blueprintID, nodeID: nodeID, input: input, params: params,
            attempt: attempt, state: state, logger: baseLogger, dependencies: dependencies)
    }
}

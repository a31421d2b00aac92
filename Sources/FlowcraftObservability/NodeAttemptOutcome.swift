import Flowcraft

/// How one node attempt ended, as the `outcome` dimension of `flowcraft_node_duration`.
public enum NodeAttemptOutcome: String, Sendable, Hashable, CaseIterable {
    /// The node returned a result.
    case success
    /// The node threw (a `FatalNodeError` included).
    case failure
    /// The attempt ran past the node's `timeout` (a failure too).
    case timeout
    /// The run was cancelled while the attempt ran.
    case cancelled

    /// The outcome of an attempt that threw `error`, judged the way the engines judge it: a
    /// timeout is a failure even though it cancels the node; other errors under cancellation are
    /// the cancellation.
    public init(error: any Error) {
        if error is NodeTimeoutError {
            self = .timeout
        } else if error is CancellationError || Task.isCancelled {
            self = .cancelled
        } else {
            self = .failure
        }
    }

    /// True for outcomes counted in `flowcraft_node_failures_total`.
    public var isFailure: Bool { self == .failure || self == .timeout }
}

/// A failure of the distributed engine with a readable reason: bad job payloads, unknown
/// blueprints or nodes, runs that cannot start, time-outs waiting for a result. ``cause`` says which,
/// for code that handles some of them (`switch error.cause`); ``message`` is for people.
public struct DistributedError: Error, Sendable, Hashable, CustomStringConvertible {
    /// What went wrong, to switch on.
    public enum Cause: Sendable, Hashable {
        /// A node job's data is not what the engine writes (missing or invalid `runId`, `nodeId`, …).
        case invalidJobData
        /// A run id that is empty, too long or contains characters the keys cannot hold.
        case invalidRunID
        /// A start of a run whose id is taken.
        case runExists
        /// No run with that id.
        case unknownRun
        /// Waiting for a run's result took longer than allowed.
        case timedOut
        /// A resume of a run that has no (such) awaiting node, or whose resume was refused.
        case notResumable
        /// A redrive refused (`RedriveRules.Refusal`): the run is not failed (or was redriven
        /// already), failed on routing, or its blueprint changed. Nothing was written.
        case notRedrivable
        /// The blueprint, its version or one of its nodes is not registered or not valid to run.
        case unknownBlueprint
        /// Invalid engine options.
        case invalidOptions
        /// An invalid queue layout (``QueueLayout``), or a run id that a sharded layout cannot place
        /// (a base id with `{` or `}`).
        case invalidLayout
        /// The layout a worker or client was given differs from the one recorded for the queue.
        case layoutMismatch
        /// Redis answered something the engine never writes.
        case unexpectedReply
        /// Anything else (see the message).
        case other
    }

    /// What went wrong.
    public var message: String
    /// What kind of problem it is, to switch on.
    public var cause: Cause

    /// An error saying `message`.
    public init(_ message: String, cause: Cause = .other) {
        self.message = message
        self.cause = cause
    }

    public var description: String { message }
}

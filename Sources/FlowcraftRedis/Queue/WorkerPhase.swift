/// Where a ``Worker`` is in its life, as one value changed only by the mutating methods below, each
/// returning what the worker must do. No I/O: every transition is unit-tested without Redis
/// (`WorkerPhaseTests`).
///
/// ```
///            run()                close(force: false)              run() returns
///  created ───────▶ running ──────────────────────▶ draining ───────────────────▶ stopped
///     │                │    close(force: true)          │ close(force: true)          ▲
///     │                └────────────────────────▶ abandoning ◀┘                        │
///     │                                               └──────── run() returns ────────┤
///     └───────────────────────────── close() before run() ────────────────────────────┘
/// ```
/// Pausing is not a worker phase: a paused queue (``Queue/pause()``) is a flag in Redis that the
/// fetch script reads, and a running worker simply finds no job.
enum WorkerPhase: Sendable, Equatable {
    /// Made, ``Worker/run()`` not called yet.
    case created
    /// Taking and processing jobs.
    case running
    /// `close(force: false)` or graceful shutdown: finishing the jobs in progress, taking no new ones.
    case draining
    /// `close(force: true)` or cancellation: jobs in progress are abandoned (their locks lapse and
    /// the stalled sweep recovers them).
    case abandoning
    /// ``Worker/run()`` has returned, or the worker was closed before it ran.
    case stopped

    /// Whether slots should stop taking jobs (any phase but `running`).
    var isClosing: Bool { self != .running }

    /// Whether jobs in progress are abandoned.
    var isForced: Bool { self == .abandoning }

    /// What ``start()`` decided.
    enum StartAction: Equatable {
        /// Run the loops.
        case run
        /// Refuse: the worker ran already or was closed (``QueueError/Cause/workerState``).
        case refuse
    }

    /// ``Worker/run()`` was called.
    mutating func start() -> StartAction {
        guard self == .created else { return .refuse }
        self = .running
        return .run
    }

    /// What ``beginClose(force:)`` asks of the worker.
    enum CloseAction: Equatable {
        /// Nothing (not running, or already closing at least as hard).
        case none
        /// Wake the idle slots (close the marker waiter) so they notice; with `abandonJobs`, also end
        /// the running jobs at once (the force-stop signal).
        case stopTakingJobs(abandonJobs: Bool)
    }

    /// `close(force:)`, graceful shutdown (`force: false`) or cancellation (`force: true`).
    mutating func beginClose(force: Bool) -> CloseAction {
        switch self {
        case .created:
            // Closed before it ever ran: a later run() must not start.
            self = .stopped
            return .none
        case .running:
            self = force ? .abandoning : .draining
            return .stopTakingJobs(abandonJobs: force)
        case .draining:
            guard force else { return .none }
            self = .abandoning
            return .stopTakingJobs(abandonJobs: true)
        case .abandoning, .stopped:
            return .none
        }
    }

    /// ``Worker/run()`` is returning: its loops have ended. A no-op unless it was running or closing
    /// (a worker that never ran stays as it is).
    mutating func runFinished() {
        switch self {
        case .running, .draining, .abandoning: self = .stopped
        case .created, .stopped: break
        }
    }

    /// Whether a caller of ``Worker/close(force:)`` can return at once rather than wait for the stop.
    var hasStopped: Bool { self == .stopped }
}

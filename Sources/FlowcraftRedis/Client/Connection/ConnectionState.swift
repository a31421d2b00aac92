/// Where one connection thread is in its life, as one value: what used to be five booleans
/// (sleeping, closing, exited, a blocking batch in flight, connected) and the published socket.
///
/// Both sides change it under the thread's mutex, only through the mutating methods below, each of
/// which returns what the caller must do next. The machine does no I/O, so every transition is
/// unit-tested without Redis (`ConnectionStateTests`).
///
/// ```
///            submit (wake)                 take batch
///  sleeping ──────────────▶ awake ─────────────────────▶ busy ──┐
///     ▲    ◀──────────────        ◀───────────────────────       │ batch done
///     │      nothing queued              (next step)             │
///     └──────────── requestClose: any live phase ─▶ closing ─▶ exited
/// ```
/// `socket` (the connection, when established) is carried by every live phase: a connection
/// outlives batches and sleeps, and `closing` still holds it until the thread drops it.
enum ConnectionState: Sendable, Equatable {
    /// The thread is running its loop without a batch (connecting, backing off, or between batches).
    case awake(socket: Int32?)
    /// The thread is parked (or about to park) waiting for work: a submitter must wake it.
    case sleeping(socket: Int32?)
    /// The thread is sending a batch and reading its replies. `blocking`: the batch holds a command
    /// sent with its own timeout (`BZPOPMIN`, `XREAD BLOCK`), which closing interrupts.
    case busy(socket: Int32?, blocking: Bool)
    /// ``requestClose()`` was called: no new commands; the thread finishes what it is doing and exits.
    case closing(socket: Int32?)
    /// The thread has left its loop and released the connection.
    case exited

    /// A new connection thread: running, not yet connected.
    static let initial = ConnectionState.awake(socket: nil)

    /// The established connection's socket, `nil` when not connected.
    var socket: Int32? {
        switch self {
        case .awake(let socket), .sleeping(let socket), .closing(let socket): return socket
        case .busy(let socket, _): return socket
        case .exited: return nil
        }
    }

    /// Whether the connection is established.
    var isConnected: Bool { socket != nil }

    /// Whether ``requestClose()`` has been called (also once the thread has exited).
    var isClosed: Bool {
        switch self {
        case .closing, .exited: return true
        case .awake, .sleeping, .busy: return false
        }
    }

    /// Whether the thread has exited.
    var hasExited: Bool { self == .exited }

    // MARK: - Caller side

    /// What a submitter does with its request.
    enum SubmitAction: Equatable {
        /// Queue it; the thread is awake and will take it.
        case enqueue
        /// Queue it and signal the thread, which was sleeping.
        case enqueueAndWake
        /// Fail it with `.closed`: the connection is closing or closed.
        case reject
    }

    /// A caller submits a request.
    mutating func submit() -> SubmitAction {
        switch self {
        case .sleeping(let socket):
            self = .awake(socket: socket)
            return .enqueueAndWake
        case .awake, .busy:
            return .enqueue
        case .closing, .exited:
            return .reject
        }
    }

    /// What ``requestClose()`` asks of the caller.
    enum CloseAction: Equatable {
        /// Already closing or closed: nothing to do (close is idempotent).
        case none
        /// Fail the queued requests and wake the thread; when `interrupt` is set, first shut down
        /// that socket (under the lock, so the descriptor cannot have been reused) to interrupt the
        /// blocking command in flight.
        case failQueuedAndWake(interrupt: Int32?)
    }

    /// A caller closes the connection.
    mutating func requestClose() -> CloseAction {
        switch self {
        case .closing, .exited:
            return .none
        case .busy(let socket, let blocking):
            self = .closing(socket: socket)
            return .failQueuedAndWake(interrupt: blocking ? socket : nil)
        case .awake(let socket), .sleeping(let socket):
            self = .closing(socket: socket)
            return .failQueuedAndWake(interrupt: nil)
        }
    }

    // MARK: - Thread side

    /// The thread's next step in its loop.
    enum Step: Equatable {
        /// Leave the loop (the connection is closing).
        case exit
        /// Park until woken: nothing is queued.
        case sleep
        /// Take everything queued and run it as one batch.
        case runBatch
    }

    /// The thread asks what to do next, given whether requests are queued and whether any of them
    /// carries its own timeout (the blocking kind). Ends any batch still marked in flight.
    mutating func nextStep(hasQueuedRequests: Bool, queuedBlocking: Bool) -> Step {
        switch self {
        case .closing, .exited:
            return .exit
        case .awake(let socket), .sleeping(let socket), .busy(let socket, _):
            if hasQueuedRequests {
                self = .busy(socket: socket, blocking: queuedBlocking)
                return .runBatch
            }
            self = .sleeping(socket: socket)
            return .sleep
        }
    }

    /// The thread finished a batch (its replies are delivered or failed). A no-op outside `busy`.
    mutating func batchFinished() {
        if case .busy(let socket, _) = self { self = .awake(socket: socket) }
    }

    /// What publishing a new connection's socket decided.
    enum ConnectedAction: Equatable {
        /// Published: the connection is in use.
        case use
        /// The connection is closing (or the thread is not in a phase that connects): release the
        /// new connection and fail its batch with `.closed`.
        case discard
    }

    /// The thread established a connection on `socket`.
    mutating func connected(socket: Int32) -> ConnectedAction {
        switch self {
        case .awake:
            self = .awake(socket: socket)
            return .use
        case .busy(_, let blocking):
            self = .busy(socket: socket, blocking: blocking)
            return .use
        case .sleeping, .closing, .exited:
            return .discard
        }
    }

    /// The thread dropped the connection (its socket is about to be freed): unpublish it.
    mutating func disconnected() {
        switch self {
        case .awake: self = .awake(socket: nil)
        case .sleeping: self = .sleeping(socket: nil)
        case .busy(_, let blocking): self = .busy(socket: nil, blocking: blocking)
        case .closing: self = .closing(socket: nil)
        case .exited: break
        }
    }

    /// The thread left its loop, having released the connection. Close waiters can be resumed.
    mutating func threadExited() {
        self = .exited
    }
}

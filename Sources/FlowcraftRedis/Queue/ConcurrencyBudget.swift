import Flowcraft

/// A number of job slots shared by several ``Worker``s (the shard queues of one distributed worker):
/// a worker's slot takes a permit before it fetches a job and gives it back when it goes idle, so the
/// workers together hold at most ``limit`` jobs however many queues they serve.
final class ConcurrencyBudget: Sendable {
    private struct State {
        var available: Int
        var waiters: [CheckedContinuation<Bool, Never>] = []
        var closed = false
    }

    /// How many jobs a slot takes in a row (each finishing call fetching the next) before it gives its
    /// permit to a waiting slot: fairness between the queues at the cost of one extra fetch per turn.
    static let turn = 16

    /// The most jobs held at once across the workers sharing the budget.
    let limit: Int
    private let state: PthreadMutex<State>

    init(limit: Int) {
        self.limit = max(1, limit)
        state = PthreadMutex(State(available: max(1, limit)))
    }

    /// Waits for a permit; `false` once ``close()`` was called (the slot then stops).
    func acquire() async -> Bool {
        await withCheckedContinuation { (continuation: CheckedContinuation<Bool, Never>) in
            let granted: Bool? = state.withLock { state in
                if state.closed { return false }
                if state.available > 0 {
                    state.available -= 1
                    return true
                }
                state.waiters.append(continuation)
                return nil
            }
            if let granted { continuation.resume(returning: granted) }
        }
    }

    /// Whether a slot waits for a permit (a slot then takes its next job only after its turn).
    var hasWaiters: Bool { state.withLock { !$0.waiters.isEmpty } }

    /// Gives a permit back (to the longest waiting slot, if any).
    func release() {
        let next = state.withLock { state -> CheckedContinuation<Bool, Never>? in
            if !state.waiters.isEmpty { return state.waiters.removeFirst() }
            state.available = min(limit, state.available + 1)
            return nil
        }
        next?.resume(returning: true)
    }

    /// Wakes every waiting slot with `false`; later ``acquire()`` calls return `false` at once.
    func close() {
        let waiters = state.withLock { state in
            state.closed = true
            let waiters = state.waiters
            state.waiters = []
            return waiters
        }
        for waiter in waiters { waiter.resume(returning: false) }
    }
}

/// The state of ``HeldNodeEvents``, as a value the tests drive without Redis or tasks: which commits
/// of each run hold their node events now (numbered in the order they began), and which `node:start`
/// emissions wait for them.
///
/// A start waits only for the commits in flight when it asked (up to the newest of them), never for
/// one that begins later: a busy run's starts cannot be held back for ever by commits that keep
/// coming.
struct HeldNodeEventsState<Waiter: Sendable>: Sendable {
    /// One commit in flight, as ``begin(_:)`` numbered it.
    struct Ticket: Hashable, Sendable {
        let runID: String
        let number: Int
    }

    private struct Run: Sendable {
        /// Numbers of the commits in flight, ascending (they begin in that order).
        var inFlight: [Int] = []
        /// Starts waiting: each for every commit numbered up to `upTo`.
        var waiters: [(id: Int, upTo: Int, waiter: Waiter)] = []
    }

    private var next = 0
    private var runs: [String: Run] = [:]

    /// Runs with a commit in flight or a start waiting (what the state holds: empty when idle).
    var activeRuns: Int { runs.count }

    /// A commit of `runID` that holds its node events begins (before its script runs).
    mutating func begin(_ runID: String) -> Ticket {
        next += 1
        runs[runID, default: Run()].inFlight.append(next)
        return Ticket(runID: runID, number: next)
    }

    /// The commit of `ticket` emitted its events (or ended without them): the starts that waited
    /// for nothing newer are returned, to be resumed.
    mutating func end(_ ticket: Ticket) -> [Waiter] {
        guard var run = runs[ticket.runID], let i = run.inFlight.firstIndex(of: ticket.number) else { return [] }
        run.inFlight.remove(at: i)
        let oldest = run.inFlight.first ?? .max
        var ready: [Waiter] = []
        run.waiters.removeAll { waiting in
            guard waiting.upTo < oldest else { return false }
            ready.append(waiting.waiter)
            return true
        }
        runs[ticket.runID] = run.inFlight.isEmpty && run.waiters.isEmpty ? nil : run
        return ready
    }

    /// A start of `runID` asks to wait for the commits in flight: `false` when there are none (it
    /// goes on at once and `waiter` is not kept); otherwise `waiter` is kept under `id` until
    /// ``end(_:)`` returns it, or ``expire(_:id:)`` does.
    mutating func wait(_ runID: String, id: Int, _ waiter: Waiter) -> Bool {
        guard var run = runs[runID], let newest = run.inFlight.last else { return false }
        run.waiters.append((id, newest, waiter))
        runs[runID] = run
        return true
    }

    /// The start `id` of `runID` stops waiting (its bound passed): its waiter, unless ``end(_:)``
    /// already returned it.
    mutating func expire(_ runID: String, id: Int) -> Waiter? {
        guard var run = runs[runID], let i = run.waiters.firstIndex(where: { $0.id == id }) else { return nil }
        let waiter = run.waiters.remove(at: i).waiter
        runs[runID] = run.inFlight.isEmpty && run.waiters.isEmpty ? nil : run
        return waiter
    }
}

import Flowcraft

/// Keeps a worker process's listener seeing a node finish before its successors start while
/// completions hold their node events for the commit's outcome (``RunCommitter``: a run-context limit
/// is set, as it is by default).
///
/// A held `node:finish` goes out once the script answered, and by then the script has enqueued the
/// node's successors (or arrived at a join another commit completes), which another job slot of this
/// process may already be starting. So a commit that holds its events is in flight from before its
/// script runs until they are emitted (``begin(_:)``, ``end(_:)``), and a job of the same run emits
/// its `node:start` only after the commits in flight when it got there (``waitForCommitsInFlight(of:)``),
/// whichever worker of the process runs it (``shared``). Jobs of other runs never wait; a start never waits for a commit that began after it asked, nor
/// longer than ``longestWait`` (a commit whose reply is slow to come: the start then goes out first,
/// and nothing else changes). Across processes the order is not kept: a successor in another process
/// may be seen to start up to one reply before its predecessor's `node:finish`.
final class HeldNodeEvents: Sendable {
    typealias Ticket = HeldNodeEventsState<CheckedContinuation<Void, Never>>.Ticket

    /// The longest a `node:start` waits for the held events of its run's commits in flight.
    let longestWait: Duration

    init(longestWait: Duration = .seconds(1)) { self.longestWait = longestWait }

    /// The process's: every worker of the process with a listener uses it, so a listener shared by
    /// several workers (one per queue or shard, say) sees the same order as one worker's.
    static let shared = HeldNodeEvents()

    private struct Locked: Sendable {
        var state = HeldNodeEventsState<CheckedContinuation<Void, Never>>()
        var nextWaiter = 0
    }

    private let locked = PthreadMutex(Locked())

    /// A commit of `runID` that holds its node events begins (call before its script runs).
    func begin(_ runID: String) -> Ticket { locked.withLock { $0.state.begin(runID) } }

    /// The commit of `ticket` emitted its held events, or ended without them (call once, on every path).
    func end(_ ticket: Ticket) {
        for waiter in locked.withLock({ $0.state.end(ticket) }) { waiter.resume() }
    }

    /// Returns once the commits of `runID` in flight now have emitted their events (at once when there
    /// are none), or after ``longestWait``.
    func waitForCommitsInFlight(of runID: String) async {
        await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
            let waiting = locked.withLock { l -> Int? in
                l.nextWaiter += 1
                return l.state.wait(runID, id: l.nextWaiter, continuation) ? l.nextWaiter : nil
            }
            guard let id = waiting else {
                continuation.resume()
                return
            }
            Task {
                try? await Task.sleep(for: self.longestWait)
                self.locked.withLock { $0.state.expire(runID, id: id) }?.resume()
            }
        }
    }

    /// Runs with a commit in flight or a start waiting (0 when idle: nothing is kept per run after).
    var activeRuns: Int { locked.withLock { $0.state.activeRuns } }
}

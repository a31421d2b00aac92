import Flowcraft
import Logging

/// Parks a worker's idle processing slots until the queue's `marker` says there may be work.
///
/// One dedicated connection blocks on `BZPOPMIN marker` for all idle slots. Each pop wakes one slot;
/// a slot that fetches a job while more are ready re-adds the marker (in the fetch script), which wakes
/// the next slot — so an idle worker does not answer one new job with a burst of empty fetches.
final class MarkerWaiter: Sendable {
    private struct State {
        var waiters: [CheckedContinuation<Void, Never>] = []
        /// The blocking loop, parked while no slot waits.
        var parkedBlocker: CheckedContinuation<Void, Never>?
        /// Earliest delayed due time reported by idle slots (ms), 0 when unknown.
        var nextDelayedDue = 0
        var closed = false
    }

    private let state = PthreadMutex(State())
    private let markerKey: String
    private let drainDelay: Double
    private let client: RedisClient
    private let logger: Logger
    /// The blocking connection; replaced after failures, closed by ``close()`` to end a blocking call.
    private let connection = PthreadMutex<RedisConnection?>(nil)

    init(markerKey: String, drainDelay: Double, client: RedisClient, logger: Logger) {
        self.markerKey = markerKey
        self.drainDelay = drainDelay
        self.client = client
        self.logger = logger
    }

    /// Suspends an idle slot until woken by the marker, a timeout, or ``close()``.
    /// - Parameter nextDelayedDue: the earliest delayed job's due time (ms) the slot saw, or 0.
    func waitForWork(nextDelayedDue: Int) async {
        await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
            let blocker: CheckedContinuation<Void, Never>? = state.withLock { state in
                if state.closed {
                    continuation.resume()
                    return nil
                }
                state.waiters.append(continuation)
                if nextDelayedDue > 0, state.nextDelayedDue == 0 || nextDelayedDue < state.nextDelayedDue {
                    state.nextDelayedDue = nextDelayedDue
                }
                let blocker = state.parkedBlocker
                state.parkedBlocker = nil
                return blocker
            }
            blocker?.resume()
        }
    }

    /// Wakes every waiting slot for good and interrupts the blocking call.
    func close() async {
        let (waiters, blocker) = state.withLock { state in
            state.closed = true
            let taken = (state.waiters, state.parkedBlocker)
            state.waiters = []
            state.parkedBlocker = nil
            return taken
        }
        for waiter in waiters { waiter.resume() }
        blocker?.resume()
        if let open = connection.withLock({ $0 }) { await open.close() }
    }

    /// The blocking loop; returns after ``close()``.
    func run() async {
        var failures = 0
        while !isClosed {
            await parkUntilSomeoneWaits()
            if isClosed { break }
            do {
                try await blockOnce()
                failures = 0
            } catch {
                if isClosed { break }
                failures += 1
                logger.warning("waiting on the queue marker failed; retrying", metadata: ["error": "\(error)"])
                await dropConnection()
                await relearnOwner(after: error)
                wakeOne()
                try? await Task.sleep(for: .milliseconds(min(5000, 50 << min(failures, 7))))
            }
        }
        await dropConnection()
    }

    private var isClosed: Bool { state.withLock { $0.closed } }

    private func parkUntilSomeoneWaits() async {
        await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
            let resumeNow = state.withLock { state in
                if state.closed || !state.waiters.isEmpty { return true }
                state.parkedBlocker = continuation
                return false
            }
            if resumeNow { continuation.resume() }
        }
    }

    /// The connection the blocking pop runs on: the one place it is opened. A cluster client opens it
    /// on the master serving `markerKey`'s slot (a blocking pop cannot span slots; each shard queue of
    /// a sharded layout has a waiter of its own). When the slot moves (`MOVED`/`ASK`) or its master
    /// fails, the pop throws and ``run()`` drops this connection; the next one is opened for the key
    /// again, on whichever master the client's slot map names by then.
    private func openBlockingConnection() async throws -> RedisConnection {
        try await client.dedicatedConnection(forKey: markerKey)
    }

    /// After a redirection or a lost master, tells the client (a `MOVED` updates the slot's owner at
    /// once, a node found down or demoted reloads the slot map), so the next blocking connection
    /// opens on the slot's current master instead of being redirected again.
    private func relearnOwner(after error: any Error) async {
        guard let redisError = error as? RedisError, redisError.isClusterRedirection || redisError.isNodeDown else { return }
        await client.noteDedicatedConnectionFailure(redisError)
    }

    private func blockOnce() async throws {
        let open: RedisConnection
        if let existing = connection.withLock({ $0 }) {
            open = existing
        } else {
            open = try await openBlockingConnection()
            connection.withLock { $0 = open }
            if isClosed {
                await open.close()
                return
            }
        }
        let now = QueueClock.nowMilliseconds()
        var timeout = drainDelay
        let due = state.withLock { state in
            let due = state.nextDelayedDue
            state.nextDelayedDue = 0
            return due
        }
        if due > 0 { timeout = min(timeout, max(0.001, Double(due - now) / 1000)) }
        let popped = try await open.execute(
            BZPOPMIN(key: markerKey, timeout: timeout), timeout: .milliseconds(Int(timeout * 1000) + 5000))
        if let score = popped?.score {
            // Member "1" carries the next delayed due time: sleep until then, so the slot's fetch
            // finds the job promotable.
            // Clamped: a foreign writer could leave any score there.
            let due = score.isFinite ? Int(min(max(score, 0), 1e15)) : 0
            let wait = due - QueueClock.nowMilliseconds()
            if wait > 0 {
                try await Task.sleep(for: .milliseconds(min(wait, Int(drainDelay * 1000))))
            }
        }
        wakeOne()
    }

    private func wakeOne() {
        let waiter = state.withLock { state -> CheckedContinuation<Void, Never>? in
            state.waiters.isEmpty ? nil : state.waiters.removeFirst()
        }
        waiter?.resume()
    }

    private func dropConnection() async {
        let old = connection.withLock { slot -> RedisConnection? in
            let old = slot
            slot = nil
            return old
        }
        await old?.close()
    }
}

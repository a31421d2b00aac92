import Synchronization

/// Hands the in-memory engine's history batches to the recorder, in the order the runs handed them
/// over, from a task of its own: a run never waits for the recorder. The runs hand over their
/// compact records (``RecordedHistoryBatch``); the public events are built here, off the runs'
/// tasks, unless the recorder takes the records themselves (``RecordedHistoryRecorder``: the
/// SQLite store). The task collects for a window before each call (unless someone waits in
/// ``flush()``): ``collectingWindow`` while short runs hand over small batches, so that many of them
/// make one ``RunHistoryRecorder/record(batches:)`` call and one task, not one each, and their
/// buffers come back soon; ``largeBatchWindow`` while only large batches come (long runs), which
/// need no quick return and would pay for each wake-up. Batches queued while the recorder is busy
/// go in the next call (consecutive batches of one run merged). Delivered batches' buffers go back
/// to the runs, emptied. A recorder error is logged and the batches are dropped: history never
/// fails a run.
final class RunHistoryDelivery: Sendable {
    private struct State {
        var pending: [RecordedHistoryBatch] = []
        /// The previous delivery's emptied queue: the next `pending` (it grew to a window's batches).
        var emptiedQueue: [RecordedHistoryBatch] = []
        var draining = false
        var waiters: [CheckedContinuation<Void, Never>] = []
        /// Runs waiting in ``waitForRoom()``.
        var roomWaiters: [CheckedContinuation<Void, Never>] = []
    }

    private let recorder: any RunHistoryRecorder
    private let logger: Logger
    private let state = Mutex(State())
    /// Emptied buffers of delivered batches, handed back to the runs: a short run then allocates no
    /// buffer of its own (and none is freed on another thread than the one that allocated it), a
    /// long run's batch buffer costs no page faults on first touch.
    private struct Spares {
        var entries = SpareBuffers<RecordedHistoryEntry>(
            largeCapacity: RunHistoryDelivery.recycledCapacity, largeKept: RunHistoryDelivery.sparesKept,
            smallKept: RunHistoryDelivery.smallSparesKept, searched: RunHistoryDelivery.sparesSearched)
        var writes = SpareBuffers<RecordedWrite>(
            largeCapacity: RunHistoryDelivery.recycledCapacity, largeKept: RunHistoryDelivery.sparesKept,
            smallKept: RunHistoryDelivery.smallSparesKept, searched: RunHistoryDelivery.sparesSearched)
        /// Summary boxes of delivered batches that nothing else held: a run that takes one frees the
        /// summary it held (its strings, allocated by a run) on its own thread, not the delivering one.
        var summaries = ReturnedStacks<SharedRunSummary>(limit: RunHistoryDelivery.smallSparesKept)
    }
    private let spare = Mutex(Spares())
    /// Buffers at least this large count as large: at most ``sparesKept`` of each kind are kept.
    static let recycledCapacity = 256
    static let sparesKept = 8
    /// Smaller buffers kept, of each kind (a short run's are a few hundred bytes: about 4 MB at
    /// most). Enough for every short run of a ``collectingWindow`` at a few µs per run: a run that
    /// finds none allocates its buffers, and the delivery frees them on its own thread (with 1 024,
    /// 3-node no-op runs recorded 5–10 % slower).
    static let smallSparesKept = 4_096
    /// How many buffers from the top of a spare stack are looked at for one that is large enough.
    static let sparesSearched = 4
    /// How long the delivering task collects batches before a recorder call. Short enough that the
    /// buffers of a window's runs come back to the runs soon (a small pool, still warm in the caches;
    /// with 10 ms, 10 000 short runs were recorded about 5 % slower), long enough that hundreds of short
    /// runs make one call (the SQLite store's CPU per run was the same as with 10 ms).
    static let collectingWindow: Duration = .milliseconds(2)
    /// The window after a delivery of large batches only (at least ``largeBatchEntries`` entries
    /// each: long runs, which hand over a batch every ``FlowRuntime/Options/historyBatchSize``
    /// entries). Their buffers are few and large, and a wake-up every 2 ms cost a 100 000-node
    /// fan-out about 19 % more wall time than no history, against about 9 % with 20 ms (each
    /// wake-up goes through the timer thread and takes a core from the nodes).
    static let largeBatchWindow: Duration = .milliseconds(20)
    /// Entries from which a batch counts as large for the window.
    static let largeBatchEntries = 256

    /// The window before the next delivery, after one of `batches`: ``largeBatchWindow`` when
    /// every batch is large, ``collectingWindow`` when any is small (a short run's).
    static func window(after batches: [RecordedHistoryBatch]) -> Duration {
        batches.allSatisfy { $0.entries.count >= largeBatchEntries } ? largeBatchWindow : collectingWindow
    }

    /// Entries handed over and not yet taken by the delivering task (changed under the state's lock;
    /// read without it on a run's way out).
    private let backlog = Atomic<Int>(0)
    /// ``FlowRuntime/Options/historyBacklogLimit`` (normalized: at least 1).
    let backlogLimit: Int

    init(recorder: any RunHistoryRecorder, logger: Logger, backlogLimit: Int) {
        self.recorder = recorder
        self.logger = logger
        self.backlogLimit = backlogLimit
    }

    /// Whether the backlog is beyond ``backlogLimit`` (a run then waits in ``waitForRoom()``).
    var isOverBacklog: Bool { backlog.load(ordering: .relaxed) > backlogLimit }

    /// Returns at once while the backlog is within ``backlogLimit``; beyond it, once the delivering
    /// task has taken what is queued (the recorder is behind: the run that calls this waits for it).
    func waitForRoom() async {
        guard isOverBacklog else { return }
        await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
            let room = state.withLock { s -> Bool in
                if backlog.load(ordering: .relaxed) <= backlogLimit { return true }
                s.roomWaiters.append(continuation)
                return false
            }
            if room { continuation.resume() }
        }
    }

    /// Queues `batch`; starts the delivering task when none runs.
    func enqueue(_ batch: consuming RecordedHistoryBatch) {
        // Moved into the queue (not copied field by field under the lock).
        var handed: RecordedHistoryBatch? = batch
        let count = handed?.entries.count ?? 0
        let start = state.withLock { s -> Bool in
            // Taken straight into the queue (binding it first would copy it: a retain per string).
            if handed != nil {
                backlog.add(count, ordering: .relaxed)
                s.pending.append(handed.take()!)
            }
            if s.draining { return false }
            s.draining = true
            return true
        }
        if start { Task.detached { await self.drain() } }
    }

    /// Returns once everything queued before the call is recorded (or dropped after an error).
    func flush() async {
        await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
            let done = state.withLock { s -> Bool in
                if !s.draining && s.pending.isEmpty { return true }
                s.waiters.append(continuation)
                return false
            }
            if done { continuation.resume() }
        }
    }

    private func drain() async {
        var window = Self.collectingWindow
        let clock = ContinuousClock()
        // A window runs from the previous call's start: when the recorder took that long or longer
        // (it is behind), what came meanwhile goes at once, and fewer runs' buffers are in flight.
        var windowStart = clock.now
        while true {
            if state.withLock({ $0.waiters.isEmpty }) {
                let left = window - (clock.now - windowStart)
                if left > .zero { try? await Task.sleep(for: left) }
            }
            windowStart = clock.now
            typealias Waiters = [CheckedContinuation<Void, Never>]
            var (recorded, flushed, room) = state.withLock { s -> ([RecordedHistoryBatch], Waiters, Waiters) in
                if s.pending.isEmpty {
                    s.draining = false
                    let waiters = s.waiters
                    s.waiters = []
                    return ([], waiters, [])
                }
                var batches = s.emptiedQueue
                s.emptiedQueue = []
                swap(&batches, &s.pending)
                // Taken: the runs waiting for room go on (what is taken is the recorder's now).
                var taken = 0
                for batch in batches { taken += batch.entries.count }
                window = Self.window(after: batches)
                backlog.subtract(taken, ordering: .relaxed)
                let room = s.roomWaiters
                s.roomWaiters = []
                return (batches, [], room)
            }
            for waiter in room { waiter.resume() }
            if recorded.isEmpty {
                for waiter in flushed { waiter.resume() }
                return
            }
            do {
                if let compact = recorder as? any RecordedHistoryRecorder {
                    // The store writes from the records: no public event is built.
                    try await compact.record(recorded: recorded)
                    recycle(&recorded)
                } else {
                    let batches = RecordedHistoryBatch.built(recorded)
                    recycle(&recorded)
                    try await recorder.record(batches: batches)
                }
            } catch {
                logger.error(
                    "run history not recorded: \(error)", metadata: ["runs": "\(Set(recorded.map(\.runID)).count)"])
                recycle(&recorded)
            }
            recorded.removeAll(keepingCapacity: true)
            state.withLock { s in
                if s.emptiedQueue.capacity < recorded.capacity { swap(&s.emptiedQueue, &recorded) }
            }
        }
    }

    /// Empty buffers with room for at least `entries` entries and `writes` writes (`nil`: none
    /// wanted), when some were handed back; one lock for both.
    func spareBuffers(entries: Int?, writes: Int?) -> (
        entries: ContiguousArray<RecordedHistoryEntry>?, writes: ContiguousArray<RecordedWrite>?
    ) {
        spare.withLock { s in
            (entries.flatMap { s.entries.take(atLeast: $0) }, writes.flatMap { s.writes.take(atLeast: $0) })
        }
    }

    /// What a run's history starts with, in one lock: empty buffers with room for `entries` entries
    /// and `writes` writes, and a summary box nothing else holds, when some were handed back.
    func spares(entries: Int, writes: Int) -> (
        entries: ContiguousArray<RecordedHistoryEntry>?, writes: ContiguousArray<RecordedWrite>?, summary: SharedRunSummary?
    ) {
        spare.withLock { s in
            (s.entries.take(atLeast: entries), s.writes.take(atLeast: writes), s.summaries.take())
        }
    }

    /// Keeps the buffers of delivered batches, emptied, for the runs to reuse (taken out of
    /// `recorded`, so that each is uniquely held and empties in place).
    private func recycle(_ recorded: inout [RecordedHistoryBatch]) {
        // Sorted outside the lock: a run taking a buffer never waits behind a window's hand-back.
        var entries = SpareBuffers<RecordedHistoryEntry>.Returned(
            largeCapacity: Self.recycledCapacity, smallKept: Self.smallSparesKept)
        var writes = SpareBuffers<RecordedWrite>.Returned(largeCapacity: Self.recycledCapacity, smallKept: Self.smallSparesKept)
        var summaries: [SharedRunSummary] = []
        summaries.reserveCapacity(recorded.count)
        for i in recorded.indices {
            if let buffer = SpareBuffers.emptied(&recorded[i].entries) { entries.add(buffer) }
            if let buffer = SpareBuffers.emptied(&recorded[i].writes) { writes.add(buffer) }
            // Only when the run is done with it (and no other batch here shares it).
            if summaries.count < Self.smallSparesKept, isKnownUniquelyReferenced(&recorded[i].sharedSummary) {
                summaries.append(recorded[i].sharedSummary)
            }
        }
        guard !entries.isEmpty || !writes.isEmpty || !summaries.isEmpty else { return }
        // Moved in, not copied: a stack kept must be the only reference to its storage, or the run
        // that takes from it first would copy it whole.
        var handed = Optional((entries: consume entries, writes: consume writes, summaries: consume summaries))
        spare.withLock { s in
            guard var returned = handed.take() else { return }
            s.entries.keep(&returned.entries)
            s.writes.keep(&returned.writes)
            s.summaries.keep(&returned.summaries)
        }
    }
}

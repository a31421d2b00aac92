import Synchronization

/// Hands the in-memory engine's history batches to the recorder, in the order the runs handed them
/// over, from a task of its own: a run never waits for the recorder. The runs hand over their
/// compact records (``RecordedHistoryBatch``); the public events are built here, off the runs' tasks. The task collects for
/// ``collectingWindow`` before each call (unless someone waits in ``flush()``), so that many short
/// runs make one ``RunHistoryRecorder/record(batches:)`` call and one task, not one each; batches
/// queued while the recorder is busy go in the next call (consecutive batches of one run merged). A recorder error is logged and the batches are dropped:
/// history never fails a run.
final class RunHistoryDelivery: Sendable {
    private struct State {
        var pending: [RecordedHistoryBatch] = []
        var draining = false
        var waiters: [CheckedContinuation<Void, Never>] = []
    }

    private let recorder: any RunHistoryRecorder
    private let logger: Logger
    private let state = Mutex(State())
    /// Emptied buffers of long runs' batches, handed back to the runs (a fresh buffer of a thousand
    /// records costs page faults on first touch).
    private let spare = Mutex<(entries: [ContiguousArray<RecordedHistoryEntry>], writes: [ContiguousArray<RecordedWrite>])>(
        ([], []))
    /// Buffers at least this large are recycled; at most ``sparesKept`` of each kind are kept.
    static let recycledCapacity = 256
    static let sparesKept = 4
    /// How long the delivering task collects batches before a recorder call.
    static let collectingWindow: Duration = .milliseconds(10)

    init(recorder: any RunHistoryRecorder, logger: Logger) {
        self.recorder = recorder
        self.logger = logger
    }

    /// Queues `batch`; starts the delivering task when none runs.
    func enqueue(_ batch: RecordedHistoryBatch) {
        let start = state.withLock { s -> Bool in
            s.pending.append(batch)
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
        while true {
            if state.withLock({ $0.waiters.isEmpty }) {
                try? await Task.sleep(for: Self.collectingWindow)
            }
            var (recorded, waiters) = state.withLock { s -> ([RecordedHistoryBatch], [CheckedContinuation<Void, Never>]) in
                if s.pending.isEmpty {
                    s.draining = false
                    let waiters = s.waiters
                    s.waiters = []
                    return ([], waiters)
                }
                let batches = s.pending
                s.pending = []
                return (batches, [])
            }
            if recorded.isEmpty {
                for waiter in waiters { waiter.resume() }
                return
            }
            let batches = RecordedHistoryBatch.built(recorded)
            recycle(&recorded)
            do {
                try await recorder.record(batches: batches)
            } catch {
                logger.error(
                    "run history not recorded: \(error)", metadata: ["runs": "\(Set(batches.map(\.summary.runID)).count)"])
            }
        }
    }

    /// An empty entry buffer with room for at least `capacity` entries, if one was handed back.
    func spareEntries(capacity: Int) -> ContiguousArray<RecordedHistoryEntry>? {
        guard capacity >= Self.recycledCapacity else { return nil }
        return spare.withLock { s in
            guard let i = s.entries.lastIndex(where: { $0.capacity >= capacity }) else { return nil }
            return s.entries.remove(at: i)
        }
    }

    /// An empty write buffer with room for at least `capacity` writes, if one was handed back.
    func spareWrites(capacity: Int) -> ContiguousArray<RecordedWrite>? {
        guard capacity >= Self.recycledCapacity else { return nil }
        return spare.withLock { s in
            guard let i = s.writes.lastIndex(where: { $0.capacity >= capacity }) else { return nil }
            return s.writes.remove(at: i)
        }
    }

    /// Keeps the large buffers of delivered batches, emptied, for the runs to reuse (taken out of
    /// `recorded`, so that each is uniquely held and empties in place).
    private func recycle(_ recorded: inout [RecordedHistoryBatch]) {
        var entries: [ContiguousArray<RecordedHistoryEntry>] = []
        var writes: [ContiguousArray<RecordedWrite>] = []
        for i in recorded.indices where recorded[i].entries.capacity >= Self.recycledCapacity {
            if entries.count < Self.sparesKept {
                var buffer: ContiguousArray<RecordedHistoryEntry> = []
                swap(&buffer, &recorded[i].entries)
                buffer.removeAll(keepingCapacity: true)
                entries.append(buffer)
            }
            if writes.count < Self.sparesKept, recorded[i].writes.capacity >= Self.recycledCapacity {
                var buffer: ContiguousArray<RecordedWrite> = []
                swap(&buffer, &recorded[i].writes)
                buffer.removeAll(keepingCapacity: true)
                writes.append(buffer)
            }
        }
        guard !entries.isEmpty || !writes.isEmpty else { return }
        spare.withLock { s in
            for buffer in entries where s.entries.count < Self.sparesKept { s.entries.append(buffer) }
            for buffer in writes where s.writes.count < Self.sparesKept { s.writes.append(buffer) }
        }
    }
}

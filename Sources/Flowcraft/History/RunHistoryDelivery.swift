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
            let (recorded, waiters) = state.withLock { s -> ([RecordedHistoryBatch], [CheckedContinuation<Void, Never>]) in
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
            do {
                try await recorder.record(batches: batches)
            } catch {
                logger.error(
                    "run history not recorded: \(error)", metadata: ["runs": "\(Set(batches.map(\.summary.runID)).count)"])
            }
        }
    }
}

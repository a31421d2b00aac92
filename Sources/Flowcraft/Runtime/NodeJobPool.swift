/// Runs one run's concurrent node jobs on long-lived worker tasks instead of a child task per node.
///
/// A child task per node cost a fan-out about nine allocations per node (the task, its closure's
/// context, the task allocator's first slabs for the node's frames), most of them freed on the
/// other thread of the cooperative pool than the one that allocated them; past malloc's per-thread
/// cache those frees take the other thread's arena lock, and a 100 000-node fan-out spent up to
/// half its time in that contention. A worker task keeps its allocator's slabs from node to node,
/// and a job and its outcome travel through two reused queues under one lock.
///
/// The driver ``submit(_:)``s a job while fewer than its concurrency limit are in flight and
/// starts a worker (``work()``, in its task group) when no idle worker took the job; workers take
/// jobs in submission order, run them and hand back completions in the order they ended, which the
/// driver takes in batches (``completions(into:)``). Cancelling the task group cancels the jobs
/// running on its workers, as it cancelled the child tasks; a job taken after that runs in the
/// cancelled task as a child task added to a cancelled group did. ``close()`` ends the idle workers
/// once the driver has nothing in flight.
final class NodeJobPool: Sendable {
    /// A finished job.
    struct Completion: Sendable {
        let item: WorkItem
        let outcome: JobOutcome
        /// The execution's place in the run's history (when the run records it).
        let stamp: ExecutionStamp?
    }

    /// A job for a worker.
    struct Submitted: Sendable {
        let item: WorkItem
        let job: NodeJob
    }

    private struct State {
        /// Jobs no worker took yet.
        var queued = FIFOQueue<Submitted>()
        var completed: [Completion] = []
        /// Workers waiting for a job (resumed with `nil` by ``close()``).
        var idleWorkers: [UnsafeContinuation<Submitted?, Never>] = []
        /// The driver, waiting for a completion.
        var driver: UnsafeContinuation<Void, Never>?
        var closed = false
    }

    /// A pthread mutex, not `Synchronization.Mutex`: ThreadSanitizer sees its ordering.
    private let state = PthreadMutex(State())

    init() {}

    /// Queues `submitted` for a worker, or hands it to an idle one. Returns whether it waits in the queue
    /// (no worker was idle): the driver then starts a worker if it may.
    func submit(_ submitted: consuming Submitted) -> Bool {
        // Moved, never copied: a copy of a job retains (and its destroy releases) every reference
        // it holds, on both threads of the pool, for each node.
        var handed: Submitted? = consume submitted
        let worker = state.withLock { s -> UnsafeContinuation<Submitted?, Never>? in
            if let worker = s.idleWorkers.popLast() { return worker }
            s.queued.append(handed.take()!)
            return nil
        }
        guard let worker else { return true }
        worker.resume(returning: handed.take())
        return false
    }

    /// A worker's loop: runs jobs until ``close()``.
    func work() async {
        while let submitted = await take() {
            complete(await Self.run(consume submitted))
        }
    }

    /// Runs the job; the job (its node context) is released before the driver sees the completion.
    private static func run(_ submitted: consuming Submitted) async -> Completion {
        let stamp = submitted.job.stamp
        let outcome = await submitted.job.execute()
        return Completion(item: submitted.item, outcome: outcome, stamp: stamp)
    }

    /// The next job, waiting while there is none; `nil` once closed.
    private func take() async -> Submitted? {
        // The job is moved out of the queue and returned as it is (not bound and copied out of an
        // enum: a copy and a destroy of every reference it holds).
        var closed = false
        let next = state.withLock { s -> Submitted? in
            if let next = s.queued.popFirst() { return next }
            closed = s.closed
            return nil
        }
        if next != nil || closed { return next }
        return await withUnsafeContinuation { (continuation: UnsafeContinuation<Submitted?, Never>) in
            var waiting = false
            let next = state.withLock { s -> Submitted? in
                if let next = s.queued.popFirst() { return next }
                if !s.closed {
                    s.idleWorkers.append(continuation)
                    waiting = true
                }
                return nil
            }
            if !waiting { continuation.resume(returning: next) }
        }
    }

    private func complete(_ completion: Completion) {
        var handed: Completion? = completion
        let driver = state.withLock { s -> UnsafeContinuation<Void, Never>? in
            s.completed.append(handed.take()!)
            return s.driver.take()
        }
        driver?.resume()
    }

    /// Moves the completions into `buffer` (emptied first), waiting until there is at least one.
    /// The driver calls it only with jobs in flight.
    func completions(into buffer: inout [Completion]) async {
        buffer.removeAll(keepingCapacity: true)
        if swapCompletions(into: &buffer) { return }
        await withUnsafeContinuation { (continuation: UnsafeContinuation<Void, Never>) in
            let ready = state.withLock { s -> Bool in
                if !s.completed.isEmpty { return true }
                s.driver = continuation
                return false
            }
            if ready { continuation.resume() }
        }
        _ = swapCompletions(into: &buffer)
    }

    /// Swaps the completed list with the empty `buffer` (each keeps its capacity for the next
    /// round); whether there were any.
    private func swapCompletions(into buffer: inout [Completion]) -> Bool {
        state.withLock { s in
            guard !s.completed.isEmpty else { return false }
            swap(&s.completed, &buffer)
            return true
        }
    }

    /// Ends the workers once they are idle: the driver calls it when nothing is in flight.
    func close() {
        let idle = state.withLock { s -> [UnsafeContinuation<Submitted?, Never>] in
            s.closed = true
            let idle = s.idleWorkers
            s.idleWorkers = []
            return idle
        }
        for worker in idle { worker.resume(returning: nil) }
    }
}

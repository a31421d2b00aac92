import Flowcraft
import Synchronization

/// The nodes a worker is running now, so that a node whose run was cancelled or ended elsewhere (by
/// another branch's failure) is stopped instead of running to an outcome nobody will commit.
final class RunningNodes: Sendable {
    private struct Entry: Sendable {
        let runKey: String
        let startedAt: ContinuousClock.Instant
        let task: Task<JobOutcome, Never>
        var stoppedByRunEnd = false
    }

    private let entries = PthreadMutex<[Int: Entry]>([:])
    private let counter = Atomic<Int>(0)

    /// Runs `attempts` in a task ``monitor(client:)`` can cancel; `nil` when it was cancelled because
    /// its run (`runKey`, the run hash) ended: nothing is to be committed then.
    func run(runKey: String, _ attempts: @escaping @Sendable () async -> JobOutcome) async -> JobOutcome? {
        let task = Task { await attempts() }
        let token = counter.add(1, ordering: .relaxed).newValue
        entries.withLock { $0[token] = Entry(runKey: runKey, startedAt: .now, task: task) }
        let result = await withTaskCancellationHandler {
            await task.value
        } onCancel: {
            task.cancel()
        }
        let stopped = entries.withLock { $0.removeValue(forKey: token)?.stoppedByRunEnd ?? false }
        return stopped ? nil : result
    }

    /// Every quarter second, checks the runs of nodes that have been running that long (one pipelined
    /// read) and cancels the nodes of runs that were cancelled or ended. Short nodes never cost a read.
    /// Returns when the calling task is cancelled.
    func monitor(client: RedisClient) async {
        let interval = Duration.milliseconds(250)
        while !Task.isCancelled {
            do {
                try await Task.sleep(for: interval)
            } catch {
                return
            }
            let cutoff = ContinuousClock.now - interval
            let runKeys = entries.withLock { nodes in Set(nodes.values.filter { $0.startedAt <= cutoff }.map(\.runKey)) }
            guard !runKeys.isEmpty else { continue }
            let ordered = runKeys.sorted()
            guard let replies = try? await client.execute(RunHash.statuses(runKeys: ordered)) else { continue }
            var ended: Set<String> = []
            for (key, reply) in zip(ordered, replies) where RunHash.hasEnded(try? reply.get()) { ended.insert(key) }
            guard !ended.isEmpty else { continue }
            entries.withLock { nodes in
                for (token, node) in nodes where ended.contains(node.runKey) {
                    nodes[token]?.stoppedByRunEnd = true
                    node.task.cancel()
                }
            }
        }
    }
}

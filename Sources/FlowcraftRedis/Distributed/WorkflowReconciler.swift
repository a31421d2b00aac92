import Flowcraft

/// Finds distributed runs that stopped making progress and re-enqueues their lost work (the seed's
/// `createBullMQReconciler`).
///
/// Stalled runs come from the index of active runs by last activity (`flowcraft:runs:active`), not
/// from scanning keys: finished and awaiting runs are not in it. For each run idle longer than the
/// threshold, every pending node whose job is gone or failed (a job lost with Redis data, failed
/// after too many stalls, removed by hand) is added again under a fresh job id. The node's
/// completion stays idempotent, so a job that was merely slow does no harm. A `subflow` node whose
/// child run is still running is not lost (the child reports when it ends); its job is added again
/// only when the child ended or paused and the node did not hear of it.
public struct WorkflowReconciler: Sendable {
    /// What one pass found and did.
    public struct Stats: Sendable, Hashable, CustomStringConvertible {
        /// Entries of the active-runs index examined.
        public var scannedKeys = 0
        /// Runs idle longer than the threshold.
        public var stalledRuns = 0
        /// Runs whose lost jobs were enqueued again.
        public var reconciledRuns = 0
        /// Runs that could not be reconciled (unknown blueprint, Redis errors).
        public var failedRuns = 0

        public var description: String {
            "scanned \(scannedKeys), stalled \(stalledRuns), reconciled \(reconciledRuns), failed \(failedRuns)"
        }
    }

    /// The Redis connection pool.
    public let client: RedisClient
    /// The blueprints whose runs it can repair.
    public let catalog: BlueprintCatalog
    /// The queue and retention settings (must match the workers').
    public let options: DistributedOptions
    /// Seconds without progress after which a run counts as stalled, clamped to
    /// `0…maximumStalledThresholdSeconds` (NaN gives the default, 300).
    public let stalledThresholdSeconds: Double
    /// The shards whose runs it repairs (``QueueShards``; every shard when `nil`). Each shard has its
    /// own active-runs index, `flowcraft:runs:active:{<queue>.<shard>}` in a sharded layout.
    public let shards: [Int]?

    /// A reconciler; `stalledThresholdSeconds` defaults to 300, `shards` to every shard of the layout.
    public init(
        client: RedisClient, catalog: BlueprintCatalog, options: DistributedOptions = DistributedOptions(),
        stalledThresholdSeconds: Double = 300, shards: [Int]? = nil
    ) {
        self.client = client
        self.catalog = catalog
        self.options = options
        self.stalledThresholdSeconds = Self.clampedThreshold(stalledThresholdSeconds)
        self.shards = shards
    }

    /// The longest stalled threshold, in seconds (a century; the cutoff stays a valid millisecond time).
    public static let maximumStalledThresholdSeconds: Double = 3_155_760_000

    /// `seconds` within `0…maximumStalledThresholdSeconds`; NaN means the default, 300 s.
    static func clampedThreshold(_ seconds: Double) -> Double {
        if seconds.isNaN { return 300 }
        return min(max(0, seconds), maximumStalledThresholdSeconds)
    }

    /// One reconciliation pass.
    public func run() async throws -> Stats {
        var stats = Stats()
        let now = QueueClock.nowMilliseconds()
        let cutoff = now - Int(stalledThresholdSeconds * 1000)
        let layout = options.shards
        var stalled: [String] = []
        // One index per shard (two commands on the shard's key, in one round trip).
        for shard in shards ?? Array(0..<layout.count) where (0..<layout.count).contains(shard) {
            let activeRuns = DistributedKeys.activeRuns(queue: layout.queueName(ofShard: shard))
            let (count, stalledRuns) = try await client.execute(
                ZCARD(key: activeRuns), ZRANGEBYSCORE(key: activeRuns, min: "-inf", max: String(cutoff)))
            stats.scannedKeys += (try? count.get()) ?? 0
            stalled += (try? stalledRuns.get()) ?? []
        }
        stats.stalledRuns = stalled.count
        for runID in stalled {
            do {
                if try await reconcile(runID, now: now) { stats.reconciledRuns += 1 }
            } catch {
                stats.failedRuns += 1
                options.logger.warning("could not reconcile run", metadata: ["runId": "\(runID)", "error": "\(error)"])
            }
        }
        return stats
    }

    /// Whether a job in `state` will still run (so its pending entry is not lost).
    private static func isQueued(_ state: JobState) -> Bool {
        switch state {
        case .waiting, .active, .delayed, .prioritized, .paused, .waitingChildren: return true
        case .completed, .failed, .unknown: return false
        }
    }

    /// Re-enqueues the lost jobs of one run; true when it enqueued any. The entries in `rerun` (a
    /// redrive's failed and interrupted nodes) also get a new job when their old one is active: taken
    /// while the run was failed, it may end without committing after this pass looked at it.
    func reconcile(_ runID: String, now: Int, rerun: Set<NodeInstance> = []) async throws -> Bool {
        let keys = DistributedKeys(runID: runID)
        let queueName = options.shards.queueName(forRun: runID)
        let queueKeys = QueueKeys(prefix: options.queuePrefix, queueName: queueName)
        let (runReply, pendingReply, awaitingReply) = try await client.execute(
            RunHash.read(runKey: keys.run), SMEMBERS(key: keys.pending), SMEMBERS(key: keys.awaiting))
        let run = (try? runReply.get()) ?? RunHash(reply: .null)
        guard run.status == .running, let blueprintID = run.blueprintID else {
            // Finished or unknown: it has no business in the index.
            _ = try await client.execute(ZREM(key: DistributedKeys.activeRuns(queue: queueName), members: [runID]))
            return false
        }
        let version = run.blueprintVersion
        let prepared = try catalog.prepared(id: blueprintID, version: version)
        let plan = prepared.compiled
        let awaiting = Set((try? awaitingReply.get()) ?? [])
        let pending = ((try? pendingReply.get()) ?? []).filter { !awaiting.contains($0) }
            .compactMap(NodeInstance.init(member:))

        let queue = try Queue(name: queueName, client: client, prefix: options.queuePrefix)
        // An entry needs a new job when its job will not run (gone, completed, failed) or, for an entry
        // a redrive runs again, when its job is active: a worker took it while the run was failed and
        // may skip or stop it. A job no worker took yet (waiting, delayed: a `sleep` keeps its due
        // time) runs with the run running again.
        func needsJob(_ entry: NodeInstance, _ state: JobState) -> Bool {
            !Self.isQueued(state) || (state == .active && rerun.contains(entry))
        }
        func isLost(_ entry: NodeInstance, jobID: String) async throws -> Bool {
            try await needsJob(entry, queue.getState(jobID))
        }
        var lost: [NodeJobData] = []
        // Read through one state view: each batch's worker ids are read once, not once per worker.
        let runState = RedisWorkflowState(runID: runID, client: client)
        for entry in pending {
            if plan.nodeIndex[entry.nodeID] == nil, let worker = BatchPlan.locateWorker(entry.nodeID, in: plan) {
                // A batch worker: its job data carries the batch's item count, from the worker ids.
                let count = try await runState.get(worker.spec.workerIDsKey)?.arrayValue?.count ?? 0
                guard worker.index < count else { continue }
                let data = NodeJobData(
                    runID: runID, blueprintID: blueprintID, worker: worker.spec, index: worker.index, count: count,
                    iteration: entry.iteration)
                if try await isLost(entry, jobID: data.jobID) { lost.append(data) }
                continue
            }
            if plan.nodeIndex[entry.nodeID] == nil, let dynamic = DynamicNodes.locate(entry.nodeID, in: plan) {
                // A dynamic node or the routing after them: rebuilt from the record its spawner stored.
                guard let data = try await dynamicJob(dynamic, runID: runID, blueprintID: blueprintID, iteration: entry.iteration)
                else { continue }
                if try await isLost(entry, jobID: data.jobID) { lost.append(data) }
                continue
            }
            if plan.nodeIndex[entry.nodeID] == nil, let parts = NodeJobData.fallbackEntryParts(entry.nodeID),
                plan.nodeIndex[parts.fallback] != nil
            {
                // A fallback running in place of a failed node (its entry names both).
                let data = NodeJobData(
                    runID: runID, blueprintID: blueprintID, nodeID: parts.fallback, iteration: entry.iteration,
                    fallbackFor: parts.failed)
                if try await isLost(entry, jobID: data.jobID) { lost.append(data) }
                continue
            }
            guard let n = plan.nodeIndex[entry.nodeID] else { continue }
            if plan.builtins[n] == .subflow {
                // A running child tells its subflow node when it ends or pauses: nothing is lost.
                // A finished or awaiting child whose news never arrived gets the node's job again.
                let child = DistributedKeys(runID: SubflowParentLink.childRunID(parent: runID, node: entry))
                if try await RunHash.status(client.execute(RunHash.get(.status, runKey: child.run))) == .running { continue }
            }
            // The job may be the plain node job or a fallback's (its id names the failed node).
            var candidates = [NodeJobData(runID: runID, blueprintID: blueprintID, nodeID: entry.nodeID, iteration: entry.iteration)]
            for m in plan.nodes.indices where plan.fallbacks[m] == n {
                candidates.append(NodeJobData(
                    runID: runID, blueprintID: blueprintID, nodeID: entry.nodeID, iteration: entry.iteration,
                    fallbackFor: plan.nodes[m].id))
            }
            var alive = false
            var existing: NodeJobData?
            for candidate in candidates {
                let state = try await queue.getState(candidate.jobID)
                if !needsJob(entry, state) {
                    alive = true
                    break
                }
                if Self.isQueued(state) {
                    // Active, of an entry to run again: it gets this job anew.
                    existing = candidate
                    break
                }
                if state == .completed || state == .failed { existing = candidate }
                if existing == nil, try await client.execute(EXISTS(key: queueKeys.job(candidate.jobID))) {
                    existing = candidate
                }
            }
            if !alive { lost.append(existing ?? candidates[0]) }
        }
        guard !lost.isEmpty else { return false }
        var jobs: [JobDescription] = []
        for data in lost {
            // A batch worker runs with its scatter node's config, a dynamic node with its own, and the
            // routing after dynamic nodes runs no node code (one attempt).
            let config: NodeConfig
            if let node = data.dynamicNode {
                config = node.config
            } else if data.afterDynamic {
                config = NodeConfig()
            } else {
                guard let n = plan.nodeIndex[data.batchOf ?? data.nodeID] else { continue }
                config = plan.nodes[n].config
            }
            var jobOptions = JobOptions(jobId: "\(data.jobID).r\(now)")
            if options.retryMode == .queue {
                jobOptions.attempts = max(1, config.maxRetries ?? 1)
                if let delay = config.retryDelay, delay > 0 { jobOptions.backoff = Backoff(.exponential, delay: delay) }
            }
            jobs.append(JobDescription(name: options.jobName, data: data.json, options: jobOptions))
        }
        _ = try await queue.addBulk(jobs)
        _ = try await client.execute(ZADD(key: DistributedKeys.activeRuns(queue: queueName), score: now, member: runID))
        options.logger.info("reconciled stalled run", metadata: ["runId": "\(runID)", "jobs": "\(jobs.count)"])
        return true
    }

    /// The job data of a pending dynamic node or continuation, from the record of its spawner; `nil`
    /// (logged) when the record is gone or does not list the node.
    private func dynamicJob(
        _ entry: DynamicNodes.Entry, runID: String, blueprintID: String, iteration: Int
    ) async throws -> NodeJobData? {
        let spawner: String
        switch entry {
        case .node(let s, _), .continuation(let s): spawner = s
        }
        let key = DynamicNodes.recordKey(spawner: spawner, iteration: iteration)
        let stored = try await RedisWorkflowState(runID: runID, client: client).get(key)
        // A batch scatter's record lists no nodes: only its continuation is ever rebuilt from it.
        guard let record = stored.flatMap(DynamicNodes.Record.init(json:)) else {
            options.logger.warning("pending dynamic work without its record", metadata: ["runId": "\(runID)", "key": "\(key)"])
            return nil
        }
        switch entry {
        case .node(_, let nodeID):
            guard let node = record.nodes.first(where: { $0.id == nodeID }) else {
                options.logger.warning(
                    "pending dynamic node missing from its record", metadata: ["runId": "\(runID)", "nodeId": "\(nodeID)"])
                return nil
            }
            let spawnerData = NodeJobData(
                runID: runID, blueprintID: blueprintID, nodeID: spawner, iteration: iteration, fallbackFor: record.fallbackFor)
            return DynamicNodes.nodeJob(node, spawner: spawner, count: record.nodes.count, data: spawnerData)
        case .continuation:
            return DynamicNodes.continuationJob(
                runID: runID, blueprintID: blueprintID, spawner: spawner, iteration: iteration,
                count: max(1, record.nodes.count), fallbackFor: record.fallbackFor)
        }
    }
}

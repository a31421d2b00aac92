import Flowcraft
import FlowcraftRedis
import Foundation

/// The Queues page's figures for BullMQ-compatible Redis queues: `Queue.getJobCounts()`, the live
/// workers from the workers' advertisements, and ``QueueThroughput`` from the events stream.
///
/// A sharded queue is shown as its shard queues (`{orders.00}` …), each with its own counts and
/// throughput; the workers of every shard are those of the logical queue (workers advertise under it).
public struct RedisDashboardQueues: DashboardQueueSource {
    public let queueNames: [String]
    let client: RedisClient
    let prefix: String
    let throughput: [String: QueueThroughput]
    /// The logical queue of each shard queue of a sharded queue.
    let logicalQueues: [String: String]

    /// Figures for `queueNames` (BullMQ queues, each its own logical queue) read with `client`
    /// (`prefix`: the BullMQ key prefix).
    public init(client: RedisClient, queueNames: [String], prefix: String = "bull") {
        self.init(client: client, queueNames: queueNames, logicalQueues: [:], prefix: prefix)
    }

    /// Figures for the shard queues of every queue in `queues`, in order (a queue in the single
    /// layout is one queue under its own name).
    public init(client: RedisClient, queues: [QueueShards], prefix: String = "bull") {
        var logical: [String: String] = [:]
        for queue in queues where queue.layout != .single {
            for name in queue.queueNames { logical[name] = queue.queueName }
        }
        self.init(client: client, queueNames: queues.flatMap(\.queueNames), logicalQueues: logical, prefix: prefix)
    }

    private init(client: RedisClient, queueNames: [String], logicalQueues: [String: String], prefix: String) {
        self.client = client
        self.queueNames = queueNames
        self.prefix = prefix
        self.logicalQueues = logicalQueues
        var throughput: [String: QueueThroughput] = [:]
        for name in queueNames { throughput[name] = QueueThroughput(client: client, key: "\(prefix):\(name):events") }
        self.throughput = throughput
    }

    public func snapshot(of queueName: String) async throws -> DashboardQueueSnapshot {
        let queue = try Queue(name: queueName, client: client, prefix: prefix)
        let counts = try await queue.getJobCounts()
        let logical = logicalQueues[queueName]
        let workers = try await WorkflowClient(
            client: client, catalog: BlueprintCatalog(), options: DistributedOptions(queueName: logical ?? queueName)
        ).liveWorkerNames()
        let now = Int64(Date().timeIntervalSince1970 * 1000)
        let buckets = try await throughput[queueName]?.refresh(now: now) ?? []
        return DashboardQueueSnapshot(
            name: queueName, waiting: counts.waiting, active: counts.active, delayed: counts.delayed,
            prioritized: counts.prioritized, failed: counts.failed, completed: counts.completed, paused: counts.paused,
            workers: workers, throughput: buckets, shardOf: logical)
    }
}

/// Run actions for the distributed engine: cancel and resume through ``WorkflowClient``; redrive
/// through the closure given (the engine's redrive), refused when none is.
public struct RedisDashboardActions: DashboardRunActions {
    /// The client that cancels and resumes runs.
    public let client: WorkflowClient
    let redriveRun: (@Sendable (String) async throws -> Void)?

    /// Actions through `client`; `redrive` redrives a run (`nil`: redrive is not offered).
    public init(client: WorkflowClient, redrive: (@Sendable (String) async throws -> Void)? = nil) {
        self.client = client
        self.redriveRun = redrive
    }

    /// Cancels a running or waiting run; a run that ended is refused (the cancel would change
    /// nothing, and "ok" would say it did), as `flowcraft cancel` refuses it.
    public func cancel(runID: String) async throws {
        switch try await client.status(runID)?.status {
        case .running?, .awaiting?:
            try await client.cancel(runID, reason: "cancelled from the dashboard")
        case let ended?:
            throw DashboardActionRefused("run '\(runID)' has already ended (\(ended.rawValue)); nothing cancelled")
        case nil:
            throw DashboardActionRefused("no run '\(runID)'")
        }
    }

    public func resume(runID: String, nodeID: String?, action: String?) async throws {
        try await client.resume(runID, nodeID: nodeID, action: action)
    }

    public func redrive(runID: String) async throws {
        guard let redriveRun else { throw DashboardActionUnavailable("redrive is not available in this dashboard") }
        try await redriveRun(runID)
    }
}

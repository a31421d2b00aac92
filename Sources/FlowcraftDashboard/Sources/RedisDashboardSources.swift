import Flowcraft
import FlowcraftRedis
import Foundation

/// The Queues page's figures for BullMQ-compatible Redis queues: `Queue.getJobCounts()`, the live
/// workers from the workers' advertisements, and ``QueueThroughput`` from the events stream.
public struct RedisDashboardQueues: DashboardQueueSource {
    public let queueNames: [String]
    let client: RedisClient
    let prefix: String
    let throughput: [String: QueueThroughput]

    /// Figures for `queueNames` read with `client` (`prefix`: the BullMQ key prefix).
    public init(client: RedisClient, queueNames: [String], prefix: String = "bull") {
        self.client = client
        self.queueNames = queueNames
        self.prefix = prefix
        var throughput: [String: QueueThroughput] = [:]
        for name in queueNames { throughput[name] = QueueThroughput(client: client, key: "\(prefix):\(name):events") }
        self.throughput = throughput
    }

    public func snapshot(of queueName: String) async throws -> DashboardQueueSnapshot {
        let queue = try Queue(name: queueName, client: client, prefix: prefix)
        let counts = try await queue.getJobCounts()
        let workers = try await WorkflowClient(
            client: client, catalog: BlueprintCatalog(), options: DistributedOptions(queueName: queueName)
        ).liveWorkerNames()
        let now = Int64(Date().timeIntervalSince1970 * 1000)
        let buckets = try await throughput[queueName]?.refresh(now: now) ?? []
        return DashboardQueueSnapshot(
            name: queueName, waiting: counts.waiting, active: counts.active, delayed: counts.delayed,
            prioritized: counts.prioritized, failed: counts.failed, completed: counts.completed, paused: counts.paused,
            workers: workers, throughput: buckets)
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

    public func cancel(runID: String) async throws {
        try await client.cancel(runID, reason: "cancelled from the dashboard")
    }

    public func resume(runID: String, nodeID: String?, action: String?) async throws {
        try await client.resume(runID, nodeID: nodeID, action: action)
    }

    public func redrive(runID: String) async throws {
        guard let redriveRun else { throw DashboardActionUnavailable("redrive is not available in this dashboard") }
        try await redriveRun(runID)
    }
}

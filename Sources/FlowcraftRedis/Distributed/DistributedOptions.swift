import Flowcraft
import Logging

/// How a failing node is retried in distributed mode.
public enum DistributedRetryMode: String, Sendable, Hashable, CaseIterable {
    /// The worker retries the node inside the job (`maxRetries`, `retryDelay` with backoff); the
    /// job fails over to the fallback or fails the run after the last attempt. The default.
    case inProcess = "in-process"
    /// Each attempt is a BullMQ attempt: the job is added with `attempts` and exponential `backoff`,
    /// so retries survive worker crashes and show in queue tooling.
    case queue
}

/// Settings shared by the distributed worker, client and reconciler (the seed adapter's options).
public struct DistributedOptions: Sendable {
    /// The queue the node jobs go through.
    public var queueName: String
    /// The BullMQ job name of node jobs.
    public var jobName: String
    /// BullMQ key prefix.
    public var queuePrefix: String
    /// Lifetime of a finished run's state, status and history keys; 0 keeps them. Applied by what
    /// finishes the run — the worker that commits its last node, a cancel, a reconcile — so a
    /// client that only starts runs never applies its own.
    public var stateTTLSeconds: Int
    /// The default of ``stateTTLSeconds``: one day.
    public static let defaultStateTTLSeconds = 86_400
    /// How a failing node is retried (``DistributedRetryMode/inProcess`` by default).
    public var retryMode: DistributedRetryMode
    /// Values injected into every node's context.
    public var dependencies: Dependencies
    /// Middleware around every node attempt (worker side), as in the in-memory engine.
    public var middleware: [any NodeMiddleware]
    /// The logger of workers, clients and reconcilers; nodes' loggers derive from it.
    public var logger: Logger
    /// Receives the run's events (`workflow:*`, `node:*`, `context:change`, `batch:*`, `job:*`) in the
    /// process that caused them: node events in the worker that ran the node, `workflow:start` and
    /// `workflow:resume` in the client. A node's events go out with its completion's commit (a node
    /// finishes before its successors start), the run's after it: just before the commit without a
    /// run-context limit; with ``SizeLimits/maximumRunContextBytes`` set (as by default) once it did not
    /// fail the run over that limit (a node failed over it has `node:error` and no `node:finish`); a
    /// successor's `node:start` in the same process waits for them (at most a second), one in another
    /// process may be seen up to a reply earlier. A job delivered again after its node committed is
    /// skipped and emits no node events.
    public var eventHandler: WorkflowEventHandler?
    /// Deepest nesting of subflows (a child run's depth; the top run is 0), as in the in-memory engine.
    public var maximumSubflowDepth: Int
    /// Completed jobs kept per workflow queue (the newest; `nil` keeps them all). Together with
    /// ``keepFailedJobs`` and the state TTL this is the retention the worker applies to every job of
    /// its queue that sets no `removeOnComplete` of its own; see ``completedJobRetention``.
    public var keepCompletedJobs: Int? = 1_000
    /// Failed jobs kept per workflow queue (the newest; `nil` keeps them all); see ``failedJobRetention``.
    public var keepFailedJobs: Int? = 10_000
    /// Limits on node outputs, the values nodes write and the final status payload (8 MiB, 8 MiB and
    /// 1 MiB by default): an oversized output or value fails its run before anything of it reaches
    /// Redis.
    public var sizeLimits: SizeLimits = .distributed
    /// How workers of two deploys share the queue (hand back, timeout, advertisement interval).
    public var rollingDeploy = RollingDeployOptions()
    /// Run history (on by default, 10 000 events per run): what `flowcraft runs`, `inspect`,
    /// `graph --run` and `replay` read (``RedisRunHistory``). `.off` records nothing.
    public var history: DistributedHistory = .on()
    /// How the queue is laid out over Redis keys (``QueueLayout``): `nil` (the default) means the
    /// layout recorded for the queue in Redis (``QueueLayoutRecord``; single when none is). Workers
    /// resolve it when they start; clients use ``withRecordedLayout(client:)`` (a client that is not
    /// resolved uses `layout ?? .single`).
    public var layout: QueueLayout?

    /// The queue's shards under ``layout`` (single when `nil`).
    public var shards: QueueShards { QueueShards(queueName: queueName, layout: layout ?? .single) }

    /// These options with ``layout`` resolved against Redis: a given layout is recorded when none is and
    /// checked against the record otherwise; none given takes the recorded one (one read at startup).
    /// - Throws: ``DistributedError`` (`layoutMismatch`) when the given layout differs from the record.
    public func withRecordedLayout(client: RedisClient) async throws -> DistributedOptions {
        var resolved = self
        resolved.layout = try await QueueLayoutRecord.resolve(layout, queueName: queueName, client: client)
        return resolved
    }

    /// ``withRecordedLayout(client:)`` for a worker starting while Redis cannot be reached: waits until
    /// Redis answers (``QueueLayoutRecord/resolveWaitingForRedis(_:queueName:client:logger:shouldStop:)``,
    /// logging to ``logger``) instead of failing.
    public func withRecordedLayoutWaitingForRedis(client: RedisClient) async throws -> DistributedOptions {
        var resolved = self
        resolved.layout = try await QueueLayoutRecord.resolveWaitingForRedis(
            layout, queueName: queueName, client: client, logger: logger)
        return resolved
    }

    /// Options with the defaults: queue `flowcraft-queue`, job name `executeNode`, prefix `bull`,
    /// state kept one day, in-process retries, subflows nested up to 32 deep.
    public init(
        queueName: String = "flowcraft-queue", jobName: String = "executeNode", queuePrefix: String = "bull",
        stateTTLSeconds: Int = DistributedOptions.defaultStateTTLSeconds, retryMode: DistributedRetryMode = .inProcess,
        dependencies: Dependencies = Dependencies(), middleware: [any NodeMiddleware] = [],
        logger: Logger = Logger(label: "flowcraft.distributed"), eventHandler: WorkflowEventHandler? = nil,
        maximumSubflowDepth: Int = 32
    ) {
        self.eventHandler = eventHandler
        self.maximumSubflowDepth = max(1, maximumSubflowDepth)
        self.middleware = middleware
        self.queueName = queueName
        self.jobName = jobName
        self.queuePrefix = queuePrefix
        self.stateTTLSeconds = max(0, stateTTLSeconds)
        self.retryMode = retryMode
        self.dependencies = dependencies
        self.logger = logger
    }
}

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
    /// Lifetime of a finished run's state and status keys; 0 keeps them.
    public var stateTTLSeconds: Int
    public var retryMode: DistributedRetryMode
    /// Values injected into every node's context.
    public var dependencies: Dependencies
    /// Middleware around every node attempt (worker side), as in the in-memory engine.
    public var middleware: [any NodeMiddleware]
    public var logger: Logger
    /// Receives the run's events (`workflow:*`, `node:*`, `context:change`, `batch:*`, `job:*`) in the
    /// process that caused them: node events in the worker that ran the node, `workflow:start` and
    /// `workflow:resume` in the client. A node's events go out just before its completion commits (a
    /// node finishes before its successors start); the run's after. A job delivered again after its
    /// node committed is skipped and emits no node events.
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

    public init(
        queueName: String = "flowcraft-queue", jobName: String = "executeNode", queuePrefix: String = "bull",
        stateTTLSeconds: Int = 86_400, retryMode: DistributedRetryMode = .inProcess,
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

/// The blueprints a worker or client knows, prepared once, by id and version.
public struct BlueprintCatalog: Sendable {
    private var byKey: [String: PreparedBlueprint] = [:]
    private var versionsByID: [String: [String?]] = [:]
    private var byFingerprint: [String: PreparedBlueprint] = [:]

    public init() {}

    /// Prepares every blueprint; throws on the first that cannot be prepared.
    public init(_ blueprints: [WorkflowBlueprint]) throws {
        for blueprint in blueprints { try add(blueprint) }
    }

    public mutating func add(_ blueprint: WorkflowBlueprint) throws {
        let compiled = PreparedBlueprint(try CompiledBlueprint(blueprint))
        let version = blueprint.effectiveVersion
        if let previous = byKey[Self.key(blueprint.id, version)] { byFingerprint[previous.fingerprint] = nil }
        byKey[Self.key(blueprint.id, version)] = compiled
        byFingerprint[compiled.fingerprint] = compiled
        if !(versionsByID[blueprint.id] ?? []).contains(version) { versionsByID[blueprint.id, default: []].append(version) }
    }

    public var isEmpty: Bool { byKey.isEmpty }
    public var ids: [String] { versionsByID.keys.sorted() }

    /// The blueprint for a run. A run that records no version (the seed's client never writes one)
    /// runs as the unversioned blueprint, or the only registered version of that id.
    public func blueprint(id: String, version: String?) throws(DistributedError) -> CompiledBlueprint {
        try prepared(id: id, version: version).plan
    }

    func prepared(id: String, version: String?) throws(DistributedError) -> PreparedBlueprint {
        guard let versions = versionsByID[id] else { throw DistributedError("unknown blueprint '\(id)'", cause: .unknownBlueprint) }
        if let version {
            guard let compiled = byKey[Self.key(id, version)] else {
                throw DistributedError("blueprint '\(id)' has no registered version '\(version)'", cause: .unknownBlueprint)
            }
            return compiled
        }
        if let compiled = byKey[Self.key(id, nil)] { return compiled }
        guard versions.count == 1, let compiled = byKey[Self.key(id, versions[0])] else {
            throw DistributedError("run of blueprint '\(id)' names no version and several versions are registered", cause: .unknownBlueprint)
        }
        return compiled
    }

    /// The blueprint with content fingerprint `fingerprint` (``BlueprintFingerprint``), if this
    /// catalog has it.
    func prepared(fingerprint: String) -> PreparedBlueprint? { byFingerprint[fingerprint] }

    /// Every blueprint as `(id, version, fingerprint)`, sorted: what a worker advertises.
    var advertised: [BlueprintAdvertisement] {
        byKey.values.map { BlueprintAdvertisement(id: $0.plan.id, version: $0.plan.blueprint.effectiveVersion, fingerprint: $0.fingerprint) }
            .sorted { ($0.id, $0.version ?? "", $0.fingerprint) < ($1.id, $1.version ?? "", $1.fingerprint) }
    }

    /// Why a run of blueprint `id` at `version` has no blueprint here, naming the versions this
    /// catalog has; `nil` when it has one.
    func versionProblem(id: String, version: String?) -> String? {
        guard let versions = versionsByID[id] else { return nil }
        guard let version, byKey[Self.key(id, version)] == nil else { return nil }
        let known = versions.map { $0.map { "'\($0)'" } ?? "unversioned" }.joined(separator: ", ")
        return "blueprint '\(id)' has no version '\(version)' on this worker (it has \(known))"
    }

    /// The blueprint to read a job's input keys with before the run's version is known: the one an
    /// unversioned run uses, else any version of that id.
    func provisional(id: String) throws(DistributedError) -> PreparedBlueprint {
        guard let versions = versionsByID[id], let first = versions.first else {
            throw DistributedError("unknown blueprint '\(id)'", cause: .unknownBlueprint)
        }
        if let unversioned = byKey[Self.key(id, nil)] { return unversioned }
        guard let prepared = byKey[Self.key(id, first)] else { throw DistributedError("unknown blueprint '\(id)'", cause: .unknownBlueprint) }
        return prepared
    }

    private static func key(_ id: String, _ version: String?) -> String {
        version.map { "\(id)\u{1}\($0)" } ?? id
    }
}

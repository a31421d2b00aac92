import Synchronization
import Flowcraft
import Logging
import ServiceLifecycle

/// The distributed engine's worker (the seed's `BullMQAdapter`): consumes `executeNode` jobs from the
/// queue and runs each node with the registered implementations, committing every completion
/// atomically in Redis. Any number of worker processes can serve the same queue.
///
/// ```swift
/// let client = try RedisClient(url: "redis://127.0.0.1:6379")
/// let worker = try DistributedWorker(blueprints: [blueprint], registry: registry, client: client)
/// try await ServiceGroup(services: [worker], gracefulShutdownSignals: [.sigterm, .sigint],
///                        logger: logger).run()   // or: worker.start() … await worker.close()
/// ```
/// In a sharded layout (``DistributedOptions/layout``) it serves every shard queue, or the `shards`
/// it is given, with one queue worker (one blocking connection) per shard and one concurrency budget.
///
/// It is a swift-service-lifecycle `Service`: on graceful shutdown it finishes the jobs in progress
/// and stops taking new ones; jobs of a killed worker are recovered by the queue's stalled sweep, and
/// their completions are never committed twice.
public final class DistributedWorker: Service, Sendable {
    /// The options it was created with.
    public let options: DistributedOptions
    let executor: NodeJobExecutor
    /// One queue worker per served shard queue (one in the single layout), in shard order.
    let workers: [Worker]
    /// The shards it serves (``QueueShards``; `[0]` in the single layout).
    public let servedShards: [Int]
    /// The name it advertises and writes to the jobs it takes (shared by its shard workers).
    public var name: String { workers.first?.name ?? "" }
    private let runTask = SendableTaskBox()
    /// ``close()`` was called (ends a startup still waiting for Redis).
    private let closeRequested = Atomic<Bool>(false)

    /// - Parameters:
    ///   - workerOptions: the queue worker's settings (concurrency, lock duration, stalled interval);
    ///     its `prefix` is replaced by `options.queuePrefix`, the queue the engine enqueues into. Its
    ///     `removeOnComplete`/`removeOnFail`, when `nil`, become `options.completedJobRetention` and
    ///     `options.failedJobRetention` (set them to `.keepAll` to keep every job).
    ///   - shards: in a sharded layout (``DistributedOptions/layout``), the shards it takes jobs from
    ///     (every shard when `nil`). Each shard queue gets a queue worker of its own (a blocking pop
    ///     cannot span Redis Cluster slots); `workerOptions.concurrency` is the total across them.
    /// - Throws: ``DistributedError`` (`invalidLayout`) for an invalid layout or a shard outside it.
    public init(
        catalog: BlueprintCatalog, registry: NodeRegistry, client: RedisClient,
        options: DistributedOptions = DistributedOptions(), workerOptions: WorkerOptions = WorkerOptions(concurrency: 16),
        shards: [Int]? = nil
    ) throws {
        try options.layout?.validate()
        let layout = options.shards
        let served = Array(Set(shards ?? Array(0..<layout.count))).sorted()
        if let outside = served.first(where: { !(0..<layout.count).contains($0) }) ?? (served.isEmpty ? -1 : nil) {
            throw DistributedError(
                outside < 0 ? "a distributed worker must serve at least one shard"
                    : "shard \(outside) is not a shard of queue '\(options.queueName)' (layout \(layout.layout): shards 0…\(layout.count - 1))",
                cause: .invalidLayout)
        }
        self.options = options
        servedShards = served
        let executor = NodeJobExecutor(catalog: catalog, registry: registry, client: client, options: options)
        self.executor = executor
        // The engine enqueues into `queuePrefix`'s queue: the worker consumes from the same one.
        // Finished jobs get the engine's retention unless the caller chose one.
        var workerOptions = options.applyingJobRetention(to: workerOptions)
        workerOptions.prefix = options.queuePrefix
        // The shard workers are one worker to the rest of the system: one name, one concurrency.
        workerOptions.name = workerOptions.name ?? "flowcraft-\(Worker.randomHex(8))"
        let budget = served.count > 1 ? ConcurrencyBudget(limit: workerOptions.concurrency) : nil
        workers = try served.map { shard in
            // In a sharded layout each shard worker checks that a job's run belongs to its shard.
            let shardQueue = layout.layout == .single ? nil : layout.queueName(ofShard: shard)
            let processor = Worker.StepProcessor(handlesDeferredFailures: true) { job in
                try await Self.process(job, executor: executor, options: options, queueName: shardQueue)
            }
            return try Worker(
                queueName: layout.queueName(ofShard: shard), client: client, options: workerOptions, logger: options.logger,
                stepProcessor: processor, budget: budget)
        }
    }

    /// Runs a job through the executor, emitting `job:processed` / `job:failed` when someone listens
    /// (for a node whose commit is a ``FinishStep``: once the worker's finishing call went through).
    private static func process(
        _ job: Job, executor: NodeJobExecutor, options: DistributedOptions, queueName: String?
    ) async throws -> ProcessedJob {
        guard job.name == options.jobName else {
            throw UnrecoverableJobError("unexpected job name '\(job.name)' (this queue runs '\(options.jobName)' jobs)")
        }
        guard let handler = options.eventHandler, let data = try? NodeJobData(json: job.data) else {
            return try await executor.process(job, queueName: queueName)
        }
        let events = EventEmitter(handler: handler, runID: data.runID, blueprintID: data.blueprintID)
        @Sendable func processed(_ result: JSONValue) {
            events?.emit(.jobProcessed, nodeID: data.nodeID, ["jobId": .string(job.id), "result": result])
        }
        @Sendable func failed(_ error: any Error) {
            events?.emit(.jobFailed, nodeID: data.nodeID, ["jobId": .string(job.id), "error": .string("\(error)")])
        }
        do {
            switch try await executor.process(job, queueName: queueName) {
            case .value(let value):
                processed(value)
                return .value(value)
            case .finishing(let step):
                return .finishing(step.then { reply in
                    switch reply {
                    case .success(let reply):
                        let items = reply.array ?? []
                        processed([
                            "nodeId": .string(data.nodeID), "commit": .string(items.first?.string ?? ""),
                            "run": .string(items.count > 1 ? items[1].string ?? "" : ""),
                        ])
                    case .failure(let error): failed(error)
                    }
                })
            }
        } catch {
            failed(error)
            throw error
        }
    }

    /// Closes the shard workers together (each finishes its jobs in progress).
    private func closeWorkers() async {
        await withTaskGroup(of: Void.self) { group in
            for worker in workers { group.addTask { await worker.close() } }
        }
    }

    /// Prepares `blueprints` and creates the worker.
    public convenience init(
        blueprints: [WorkflowBlueprint], registry: NodeRegistry, client: RedisClient,
        options: DistributedOptions = DistributedOptions(), workerOptions: WorkerOptions = WorkerOptions(concurrency: 16),
        shards: [Int]? = nil
    ) throws {
        try self.init(
            catalog: BlueprintCatalog(blueprints), registry: registry, client: client, options: options,
            workerOptions: workerOptions, shards: shards)
    }

    /// Processes jobs until ``close()`` or graceful shutdown.
    /// - Throws: ``DistributedError`` (`layoutMismatch`) when the queue's layout recorded in Redis
    ///   (``QueueLayoutRecord``) differs from ``DistributedOptions/layout`` (or, with no layout given,
    ///   from the single layout): the worker then takes no job.
    public func run() async throws {
        // One read (or SET NX) at startup: a worker never serves a queue laid out differently. A
        // worker started while Redis is down (or failing over) waits for it, as a running one does.
        guard
            let recorded = try await QueueLayoutRecord.resolveWaitingForRedis(
                options.layout, queueName: options.queueName, client: client, logger: options.logger,
                shouldStop: { [self] in closeRequested.load(ordering: .relaxed) || Task.isShuttingDownGracefully })
        else {
            // Closed (or shut down) before Redis answered: no job was taken.
            await closeWorkers()
            return
        }
        guard recorded == options.shards.layout else {
            throw DistributedError(
                "queue '\(options.queueName)' is laid out as \(recorded) (recorded in '\(QueueLayoutRecord.key(queue: options.queueName))'), "
                    + "but this worker was created for \(options.shards.layout); give it the recorded layout "
                    + "(DistributedOptions.layout, flowcraft worker --layout) or options.withRecordedLayout(client:)",
                cause: .layoutMismatch)
        }
        // Best effort: EVALSHA falls back to EVAL when the script is unknown (e.g. Redis is still
        // down and will come back), so a failed preload must not stop the worker.
        do {
            try await client.preload([NodeCompletionScript.script, NodeCompletionScript.finishingScript])
        } catch {
            options.logger.warning("could not preload the completion script", metadata: ["error": "\(error)"])
        }
        let executor = self.executor
        // Other workers and clients see which blueprints this worker has before it takes a job.
        await advertise()
        try await withThrowingTaskGroup(of: Void.self) { group in
            // The shard workers run together: the first to return (closed or shut down) ends the rest.
            for worker in workers { group.addTask { try await worker.run() } }
            group.addTask { await executor.runningNodes.monitor(client: executor.client) }
            group.addTask { await self.advertisePeriodically() }
            // The worker returning (closed or shut down) ends the monitor and the advertising too.
            try await group.next()
            await closeWorkers()
            group.cancelAll()
        }
        do {
            try await directory.withdraw(worker: name)
        } catch {
            options.logger.warning("could not withdraw the worker's blueprint advertisement", metadata: ["error": "\(error)"])
        }
    }

    private var directory: WorkerDirectory { WorkerDirectory(client: client, queueName: options.queueName) }

    /// Writes this worker's blueprints into the queue's ``WorkerDirectory`` (best effort: a worker
    /// that cannot advertise still runs its jobs; others then hand jobs back less readily).
    private func advertise() async {
        do {
            try await directory.advertise(
                worker: name, blueprints: executor.catalog.advertised,
                lifetimeMilliseconds: options.rollingDeploy.advertisementLifetimeMilliseconds)
        } catch {
            options.logger.warning("could not advertise the worker's blueprints", metadata: ["error": "\(error)"])
        }
    }

    private func advertisePeriodically() async {
        let interval = options.rollingDeploy.advertisementIntervalMilliseconds
        while !Task.isCancelled {
            do { try await Task.sleep(for: .milliseconds(interval)) } catch { return }
            await advertise()
        }
    }

    private var client: RedisClient { executor.client }

    /// Starts processing in a background task (the seed's `start()`); stop with ``close()``.
    public func start() {
        runTask.set(Task { [self] in
            do {
                try await self.run()
            } catch {
                self.options.logger.error("distributed worker stopped", metadata: ["error": "\(error)"])
            }
        })
    }

    /// Finishes the jobs in progress, stops taking new ones and returns once stopped.
    public func close() async {
        closeRequested.store(true, ordering: .relaxed)
        await closeWorkers()
        await runTask.take()?.value
    }
}

/// Holds the background task of ``DistributedWorker/start()``.
final class SendableTaskBox: Sendable {
    private let task = PthreadMutex<Task<Void, Never>?>(nil)
    func set(_ value: Task<Void, Never>) { task.withLock { $0 = value } }
    func take() -> Task<Void, Never>? { task.withLock { t in defer { t = nil }; return t } }
}

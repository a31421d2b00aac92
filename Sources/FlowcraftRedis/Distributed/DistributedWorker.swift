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
/// It is a swift-service-lifecycle `Service`: on graceful shutdown it finishes the jobs in progress
/// and stops taking new ones; jobs of a killed worker are recovered by the queue's stalled sweep, and
/// their completions are never committed twice.
public final class DistributedWorker: Service, Sendable {
    /// The options it was created with.
    public let options: DistributedOptions
    let executor: NodeJobExecutor
    let worker: Worker
    private let runTask = SendableTaskBox()

    /// - Parameters:
    ///   - workerOptions: the queue worker's settings (concurrency, lock duration, stalled interval);
    ///     its `prefix` is replaced by `options.queuePrefix`, the queue the engine enqueues into. Its
    ///     `removeOnComplete`/`removeOnFail`, when `nil`, become `options.completedJobRetention` and
    ///     `options.failedJobRetention` (set them to `.keepAll` to keep every job).
    public init(
        catalog: BlueprintCatalog, registry: NodeRegistry, client: RedisClient,
        options: DistributedOptions = DistributedOptions(), workerOptions: WorkerOptions = WorkerOptions(concurrency: 16)
    ) throws {
        self.options = options
        let executor = NodeJobExecutor(catalog: catalog, registry: registry, client: client, options: options)
        self.executor = executor
        // The engine enqueues into `queuePrefix`'s queue: the worker consumes from the same one.
        // Finished jobs get the engine's retention unless the caller chose one.
        var workerOptions = options.applyingJobRetention(to: workerOptions)
        workerOptions.prefix = options.queuePrefix
        worker = try Worker(
            queueName: options.queueName, client: client, options: workerOptions, logger: options.logger,
            stepProcessor: Worker.StepProcessor { job in try await Self.process(job, executor: executor, options: options) })
    }

    /// Runs a job through the executor, emitting `job:processed` / `job:failed` when someone listens
    /// (for a node whose commit is a ``FinishStep``: once the worker's finishing call went through).
    private static func process(_ job: Job, executor: NodeJobExecutor, options: DistributedOptions) async throws -> ProcessedJob {
        guard job.name == options.jobName else {
            throw UnrecoverableJobError("unexpected job name '\(job.name)' (this queue runs '\(options.jobName)' jobs)")
        }
        guard let handler = options.eventHandler, let data = try? NodeJobData(json: job.data) else {
            return try await executor.process(job)
        }
        let events = EventEmitter(handler: handler, runID: data.runID, blueprintID: data.blueprintID)
        @Sendable func processed(_ result: JSONValue) {
            events?.emit(.jobProcessed, nodeID: data.nodeID, ["jobId": .string(job.id), "result": result])
        }
        @Sendable func failed(_ error: any Error) {
            events?.emit(.jobFailed, nodeID: data.nodeID, ["jobId": .string(job.id), "error": .string("\(error)")])
        }
        do {
            switch try await executor.process(job) {
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

    /// Prepares `blueprints` and creates the worker.
    public convenience init(
        blueprints: [WorkflowBlueprint], registry: NodeRegistry, client: RedisClient,
        options: DistributedOptions = DistributedOptions(), workerOptions: WorkerOptions = WorkerOptions(concurrency: 16)
    ) throws {
        try self.init(
            catalog: BlueprintCatalog(blueprints), registry: registry, client: client, options: options,
            workerOptions: workerOptions)
    }

    /// Processes jobs until ``close()`` or graceful shutdown.
    public func run() async throws {
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
            group.addTask { try await self.worker.run() }
            group.addTask { await executor.runningNodes.monitor(client: executor.client) }
            group.addTask { await self.advertisePeriodically() }
            // The worker returning (closed or shut down) ends the monitor and the advertising too.
            try await group.next()
            group.cancelAll()
        }
        do {
            try await directory.withdraw(worker: worker.name)
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
                worker: worker.name, blueprints: executor.catalog.advertised,
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
        await worker.close()
        await runTask.take()?.value
    }
}

/// Holds the background task of ``DistributedWorker/start()``.
final class SendableTaskBox: Sendable {
    private let task = Mutex<Task<Void, Never>?>(nil)
    func set(_ value: Task<Void, Never>) { task.withLock { $0 = value } }
    func take() -> Task<Void, Never>? { task.withLock { t in defer { t = nil }; return t } }
}

import Flowcraft
import FlowcraftModel
import Logging
import ServiceLifecycle

/// Processes a job and returns its result (stored as the job's `returnvalue`). Throwing fails the
/// attempt; throw ``UnrecoverableJobError`` to fail the job without further attempts.
public typealias JobProcessor = @Sendable (Job) async throws -> JSONValue

/// The consumer side of a BullMQ-compatible queue.
///
/// `concurrency` slots each take a job, run the processor and finish the job with one script call
/// that also fetches the slot's next job, so a busy worker makes one round trip per job. Idle slots
/// wait on one blocking connection (``MarkerWaiter``). Held locks are renewed in one call per tick;
/// a stalled sweep recovers jobs of workers that died. Redis failures are logged and retried with
/// back-off; the worker keeps running.
///
/// Run it with ``run()`` (it is a swift-service-lifecycle `Service`: graceful shutdown closes it),
/// stop it with ``close(force:)``.
public final class Worker: Service, Sendable {
    /// The queue it takes jobs from.
    public let queueName: String
    /// Its options (concurrency, locks, stall checks, retention).
    public let options: WorkerOptions
    /// The name written to `pb` of taken jobs.
    public let name: String
    let keys: QueueKeys
    let client: RedisClient
    let processor: @Sendable (Job) async throws -> ProcessedJob
    /// ``StepProcessor/handlesDeferredFailures``.
    let handlesDeferredFailures: Bool
    let logger: Logger
    private let waiter: MarkerWaiter
    /// Job slots shared with other workers (the shards of one distributed worker), or `nil`.
    private let budget: ConcurrencyBudget?
    private let state = PthreadMutex(State())
    private let forceStop: (stream: AsyncStream<Void>, continuation: AsyncStream<Void>.Continuation)

    private struct State {
        var phase = WorkerPhase.created
        var tokenCounter = 0
        /// Jobs this worker holds: id → lock token.
        var heldLocks: [String: String] = [:]
        /// Held jobs whose finishing call (complete, fail or retry) may have been sent: their lock
        /// can be gone because that call ran, which is no lost lock.
        var finishing: Set<String> = []
        var stopWaiters: [CheckedContinuation<Void, Never>] = []
    }

    /// A job this worker holds, with its lock token.
    private struct ActiveJob: Sendable {
        let job: Job
        let token: String
    }

    private enum Outcome {
        case completed(JSONValue)
        /// Completed together with the processor's script step.
        case finishing(FinishStep)
        case failed(reason: String, unrecoverable: Bool)
        /// Back to the delayed set without counting an attempt (``JobHandBack``).
        case handedBack(JobHandBack)
    }

    private enum FetchResult {
        case job(ActiveJob)
        case none(nextDelayedDue: Int)
    }

    /// - Throws: ``QueueError`` for an invalid queue name or options.
    public convenience init(
        queueName: String, client: RedisClient, options: WorkerOptions = WorkerOptions(),
        logger: Logger = Logger(label: "flowcraft.queue.worker"), processor: @escaping JobProcessor
    ) throws {
        try self.init(
            queueName: queueName, client: client, options: options, logger: logger,
            stepProcessor: StepProcessor { job in .value(try await processor(job)) })
    }

    /// A processor that may complete its jobs together with a ``FinishStep``.
    struct StepProcessor: Sendable {
        let process: @Sendable (Job) async throws -> ProcessedJob
        /// Whether jobs with a deferred failure (``Job/deferredFailure``: stalled too often) go to the
        /// processor too, which then fails them its own way (the distributed engine fails their run);
        /// otherwise the worker fails them without processing, as BullMQ does.
        var handlesDeferredFailures = false

        init(handlesDeferredFailures: Bool = false, process: @escaping @Sendable (Job) async throws -> ProcessedJob) {
            self.process = process
            self.handlesDeferredFailures = handlesDeferredFailures
        }
    }

    /// A worker whose processor may complete its jobs together with a ``FinishStep``; with a `budget`,
    /// its slots hold at most the budget's permits together with the other workers sharing it.
    init(
        queueName: String, client: RedisClient, options: WorkerOptions, logger: Logger, stepProcessor: StepProcessor,
        budget: ConcurrencyBudget? = nil
    ) throws {
        let processor = stepProcessor.process
        handlesDeferredFailures = stepProcessor.handlesDeferredFailures
        guard !queueName.isEmpty, !queueName.contains(":") else {
            throw QueueError("invalid queue name '\(queueName)': it must be non-empty and contain no ':'", cause: .invalidName)
        }
        self.options = try options.validated()
        self.queueName = queueName
        self.client = client
        self.processor = processor
        self.budget = budget
        keys = QueueKeys(prefix: options.prefix, queueName: queueName)
        name = options.name ?? "flowcraft-\(Self.randomHex(8))"
        var logger = logger
        logger[metadataKey: "queue"] = "\(queueName)"
        logger[metadataKey: "worker"] = "\(name)"
        self.logger = logger
        waiter = MarkerWaiter(markerKey: keys.marker, drainDelay: options.drainDelay, client: client, logger: logger)
        forceStop = AsyncStream<Void>.makeStream()
    }

    /// Processes jobs until ``close(force:)`` or graceful shutdown; returns once stopped.
    /// - Throws: ``QueueError`` when the worker was already started.
    public func run() async throws {
        let start = state.withLock { $0.phase.start() }
        guard start == .run else { throw QueueError("a worker can only be run once, and not after close()", cause: .workerState) }
        await withTaskCancellationHandler {
            await withGracefulShutdownHandler {
                await self.runLoops()
            } onGracefulShutdown: {
                self.beginClose(force: false)
            }
        } onCancel: {
            // Cancelling run() stops at once, like close(force: true); parked slots need the wake-up.
            self.beginClose(force: true)
        }
        let waiters = state.withLock { state in
            state.phase.runFinished()
            let waiters = state.stopWaiters
            state.stopWaiters = []
            return waiters
        }
        for waiter in waiters { waiter.resume() }
    }

    /// Stops the worker and returns once ``run()`` has returned.
    /// - Parameter force: `false` finishes the jobs in progress (without taking new ones); `true`
    ///   abandons them at once, leaving their locks to lapse so the stalled sweep recovers them.
    public func close(force: Bool = false) async {
        beginClose(force: force)
        await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
            let done = state.withLock { state -> Bool in
                if state.phase.hasStopped { return true }
                state.stopWaiters.append(continuation)
                return false
            }
            if done { continuation.resume() }
        }
    }

    private func beginClose(force: Bool) {
        switch state.withLock({ $0.phase.beginClose(force: force) }) {
        case .none:
            return
        case .stopTakingJobs(let abandonJobs):
            if abandonJobs { forceStop.continuation.finish() }
            // Slots waiting for a shared permit stop too (the workers sharing it close together).
            budget?.close()
            Task { await self.waiter.close() }
        }
    }

    private var isClosing: Bool { state.withLock { $0.phase.isClosing } }
    private var isForced: Bool { state.withLock { $0.phase.isForced } }

    // MARK: - Loops

    private enum LoopEnd: Sendable { case slot, background, force }

    private func runLoops() async {
        await preloadScripts()
        await withTaskGroup(of: LoopEnd.self) { group in
            for _ in 0..<options.concurrency {
                group.addTask { await self.runSlot(); return .slot }
            }
            group.addTask { await self.waiter.run(); return .background }
            group.addTask { await self.renewLocksPeriodically(); return .background }
            group.addTask { await self.sweepStalledPeriodically(); return .background }
            group.addTask {
                for await _ in self.forceStop.stream {}
                return .force
            }
            var slotsRunning = options.concurrency
            while let end = await group.next() {
                switch end {
                case .slot:
                    slotsRunning -= 1
                    if slotsRunning == 0 {
                        await waiter.close()
                        group.cancelAll()
                    }
                case .force:
                    if isForced { group.cancelAll() }
                case .background:
                    break
                }
            }
        }
        await waiter.close()
    }

    private func preloadScripts() async {
        var failures = 0
        while !isClosing {
            do {
                try await client.preload(QueueScript.all)
                return
            } catch {
                failures += 1
                logger.warning("loading the queue scripts failed; retrying", metadata: ["error": "\(error)"])
                await backoff(failures)
            }
        }
    }

    private func runSlot() async {
        var current: ActiveJob?
        // Set when the call that finished the last job found nothing to fetch (and when the next
        // delayed job is due): the slot waits for the marker without an empty fetch first. A job
        // added since that call set the marker, so none is missed.
        var idleUntilMarker: Int?
        var failures = 0
        // With a shared budget, the slot holds a permit from before its fetch until it goes idle.
        var holdsPermit = false
        var chained = 0
        defer { if holdsPermit { budget?.release() } }
        while !Task.isCancelled {
            guard let active = current else {
                if isClosing { return }
                if let due = idleUntilMarker {
                    idleUntilMarker = nil
                    if holdsPermit { budget?.release(); holdsPermit = false }
                    await waiter.waitForWork(nextDelayedDue: due)
                    continue
                }
                if let budget {
                    // Given back and taken again: a slot of another queue waiting for one goes first.
                    if holdsPermit { budget.release(); holdsPermit = false }
                    guard await budget.acquire() else { return }
                    holdsPermit = true
                    if isClosing { return }
                }
                do {
                    switch try await fetch() {
                    case .job(let job): current = job
                    case .none(let due):
                        if holdsPermit { budget?.release(); holdsPermit = false }
                        await waiter.waitForWork(nextDelayedDue: due)
                    }
                    failures = 0
                } catch {
                    failures += 1
                    logger.warning("fetching a job failed; retrying", metadata: ["error": "\(error)"])
                    await backoff(failures)
                }
                continue
            }
            let outcome = await process(active.job)
            if isForced || Task.isCancelled {
                if case .finishing(let step) = outcome { step.completion(.failure(CancellationError())) }
                return
            }
            // With a shared budget, every `ConcurrencyBudget.turn`-th job of a slot's chain ends the chain
            // when another slot waits for a permit: a busy queue cannot keep the permits from the others.
            chained += 1
            let mayChain = budget.map { chained % ConcurrencyBudget.turn != 0 || !$0.hasWaiters } ?? true
            switch await finish(active, outcome, mayChain: mayChain) {
            case .job(let next)?: current = next
            case .none(let due)?:
                current = nil
                idleUntilMarker = due
            case nil: current = nil
            }
        }
    }

    private func process(_ job: Job) async -> Outcome {
        if let reason = job.deferredFailure, !handlesDeferredFailures {
            return .failed(reason: reason, unrecoverable: true)
        }
        if let dataError = job.dataError {
            return .failed(reason: "job data is not valid JSON: \(dataError)", unrecoverable: true)
        }
        do {
            switch try await processor(job) {
            case .value(let value): return .completed(value)
            case .finishing(let step): return .finishing(step)
            }
        } catch let handBack as JobHandBack {
            return .handedBack(handBack)
        } catch let error as UnrecoverableJobError {
            return .failed(reason: error.message, unrecoverable: true)
        } catch {
            return .failed(reason: String(describing: error), unrecoverable: false)
        }
    }

    // MARK: - Redis steps

    private func nextToken() -> String {
        let counter = state.withLock { state in
            state.tokenCounter += 1
            return state.tokenCounter
        }
        return "\(name):\(counter)"
    }

    private func fetch() async throws -> FetchResult {
        let token = nextToken()
        let reply = try await client.evalScript(
            QueueScript.moveToActive,
            QueueScript.MoveToActiveCall(
                queue: keys, token: token, lockDuration: options.lockDuration, now: QueueClock.nowMilliseconds(),
                workerName: name))
        return try await fetched(reply, token: token, offset: 0)
    }

    /// Reads `{id, fields, nextDelayedDue}` at `offset` of a script reply.
    private func fetched(_ reply: RedisReply, token: String, offset: Int) async throws -> FetchResult {
        guard let items = reply.array, items.count >= offset + 3, let id = items[offset].string else {
            throw QueueError("unexpected reply from the fetch script: \(reply)", cause: .unexpectedReply)
        }
        guard !id.isEmpty else { return .none(nextDelayedDue: items[offset + 2].int ?? 0) }
        state.withLock { $0.heldLocks[id] = token }
        guard let job = Job(id: id, reply: items[offset + 1]) else {
            // A hash without name or data cannot be processed; fail it so it does not linger in active.
            // (The call that fails it may fetch the next job: that one is this slot's next job.)
            let placeholder = Job(id: id, fields: ["name": "", "data": "null"])
            if let placeholder, case .job(let next)? = await failMalformed(ActiveJob(job: placeholder, token: token)) {
                return .job(next)
            }
            return .none(nextDelayedDue: 0)
        }
        return .job(ActiveJob(job: job, token: token))
    }

    private func failMalformed(_ active: ActiveJob) async -> FetchResult? {
        await finish(active, .failed(reason: "job hash lacks its name or data", unrecoverable: true))
    }

    /// Finishes a job (completed, retried or failed) and returns what the finishing call fetched (the
    /// next job, or nothing with the next delayed job's due time), `nil` when it fetched nothing. Redis
    /// failures are retried until the lock could have lapsed; then the job is left to the stalled sweep.
    private func finish(_ active: ActiveJob, _ outcome: Outcome, mayChain: Bool = true) async -> FetchResult? {
        let job = active.job
        var outcome = outcome
        // A step's completion runs once, whichever path below ends the job.
        if case .finishing(let step) = outcome { outcome = .finishing(step.completingOnce()) }
        // Whether a call with the step may have run although its reply never came (a connection
        // error or timeout): a later "lock lost" may then be that call's own doing.
        var stepMayHaveRun = false
        var failures = 0
        let deadline = QueueClock.nowMilliseconds() + options.lockDuration
        // Marked before the first finishing call is sent, so a renewal that finds the lock gone
        // because that call ran sees the mark (or the job already gone from `heldLocks`).
        state.withLock { _ = $0.finishing.insert(job.id) }
        defer {
            state.withLock {
                _ = $0.heldLocks.removeValue(forKey: job.id)
                _ = $0.finishing.remove(job.id)
            }
        }
        while true {
            do {
                switch outcome {
                case .completed(let value):
                    return try await moveToFinished(
                        active, target: .completed, value: JSONText.serialize(value), stacktrace: "",
                        retention: retention(of: job, completed: true), mayChain: mayChain)
                case .finishing(let step):
                    do {
                        return try await moveToFinished(
                            active, target: .completed, value: step.returnValuePrefix, stacktrace: "",
                            retention: retention(of: job, completed: true), step: step, mayChain: mayChain)
                    } catch let rejected as FinishStepRejected {
                        // The step refused before writing anything: the attempt fails with its error.
                        step.completion(.failure(rejected))
                        outcome = .failed(reason: rejected.message, unrecoverable: false)
                        continue
                    } catch let error as LostLock {
                        throw error
                    } catch {
                        stepMayHaveRun = true
                        throw error
                    }
                case .handedBack(let handBack):
                    try await retry(
                        active, delay: max(1, handBack.delayMilliseconds), reason: handBack.reason,
                        stacktrace: JSONText.serialize(.array(job.stacktrace.map { .string($0) })), countsAttempt: false)
                    return nil
                case .failed(let reason, let unrecoverable):
                    var trace = job.stacktrace
                    trace.append(reason)
                    if trace.count > options.stackTraceLimit { trace.removeFirst(trace.count - options.stackTraceLimit) }
                    let stacktrace = JSONText.serialize(.array(trace.map { .string($0) }))
                    // attemptsMade + 1 < attempts, written so hostile values cannot overflow.
                    let allowed = job.options.attempts
                    if !unrecoverable, allowed > 0, job.attemptsMade >= 0, job.attemptsMade < allowed - 1 {
                        let delay = job.options.backoff?.delay(afterAttemptsMade: job.attemptsMade) ?? 0
                        try await retry(active, delay: delay, reason: reason, stacktrace: stacktrace)
                        return nil
                    }
                    return try await moveToFinished(
                        active, target: .failed, value: reason, stacktrace: stacktrace,
                        retention: retention(of: job, completed: false), mayChain: mayChain)
                }
            } catch let error as LostLock {
                if stepMayHaveRun, case .finishing(let step) = outcome, await finishedByLostCall(job, step) { return nil }
                logger.warning(
                    "job lock lost before finishing; another worker may have taken it",
                    metadata: ["job": "\(job.id)", "code": "\(error.code)"])
                if case .finishing(let step) = outcome { step.completion(.failure(error)) }
                return nil
            } catch {
                failures += 1
                if isForced || QueueClock.nowMilliseconds() > deadline {
                    logger.error(
                        "could not finish job; leaving it to stalled recovery",
                        metadata: ["job": "\(job.id)", "error": "\(error)"])
                    if case .finishing(let step) = outcome { step.completion(.failure(error)) }
                    return nil
                }
                logger.warning(
                    "finishing job failed; retrying", metadata: ["job": "\(job.id)", "error": "\(error)"])
                await backoff(failures)
            }
        }
    }

    private struct LostLock: Error { let code: Int }

    /// Whether this worker's earlier call, whose reply was lost, finished the job with its step (the
    /// retry then finds the lock gone): the job hash holds the step's `returnvalue` and this worker's
    /// name. The step's completion then gets the reply rebuilt from that `returnvalue`. (The job that
    /// call fetched is left to the stalled sweep.)
    private func finishedByLostCall(_ job: Job, _ step: FinishStep) async -> Bool {
        guard let fields = try? await client.execute(HMGET(key: keys.job(job.id), fields: ["finishedOn", "returnvalue", "pb"])),
            fields.count == 3, fields[0] != nil, let value = fields[1],
            value.hasPrefix(step.returnValuePrefix), fields[2] == name
        else { return false }
        logger.info("job was finished by an earlier call whose reply was lost", metadata: ["job": "\(job.id)"])
        if let rebuilt = step.recoveredReply?(value) {
            step.completion(.success(rebuilt))
        } else {
            step.completion(.failure(QueueError("the step ran but its reply was lost", cause: .unexpectedReply)))
        }
        return true
    }

    /// The job's own retention option, else the worker's default, else keep everything.
    private func retention(of job: Job, completed: Bool) -> JobRetention {
        if completed {
            if job.optionKeys.contains("removeOnComplete") { return job.options.removeOnComplete }
            return options.removeOnComplete ?? .keepAll
        }
        if job.optionKeys.contains("removeOnFail") { return job.options.removeOnFail }
        return options.removeOnFail ?? .keepAll
    }

    /// Finishes the job (with `step` built into the same script call, when given) and returns what the
    /// call fetched, `nil` when it did not fetch (the worker is closing).
    private func moveToFinished(
        _ active: ActiveJob, target: QueueScript.MoveToFinishedCall.Target, value: String, stacktrace: String, retention: JobRetention,
        step: FinishStep? = nil, mayChain: Bool = true
    ) async throws -> FetchResult? {
        // `mayChain` false: this slot's turn with a shared budget ended (it fetches after the wait).
        let fetchNext = !isClosing && mayChain
        let nextToken = fetchNext ? self.nextToken() : ""
        let (keepCount, keepAge) = retention.scriptArguments
        let call = QueueScript.MoveToFinishedCall(
            queue: keys, jobID: active.job.id, token: active.token, now: QueueClock.nowMilliseconds(), target: target,
            value: value, stacktrace: stacktrace, keepCount: keepCount, keepAge: keepAge,
            attempts: active.job.options.attempts, nextToken: fetchNext ? nextToken : nil,
            lockDuration: options.lockDuration, workerName: name, deduplicationID: active.job.fields["deid"] ?? "",
            hadDeferredFailure: active.job.deferredFailure != nil, attemptsMade: active.job.fields["atm"] ?? "0")
        // A step's own keys and arguments follow the call's.
        var scriptKeys = call.keys
        var arguments = call.arguments
        if let step {
            scriptKeys += step.keys
            arguments += step.arguments
        }
        let reply: RedisReply
        do {
            reply = try await client.evalScript(step?.script ?? QueueScript.moveToFinished, keys: scriptKeys, arguments: arguments)
        } catch {
            // A refusal (``FinishStep/refusalPrefix``: the finish script's argument checks, or the
            // step's — before any write, or after the step ended the job's run: ``FinishStep``) fails
            // the attempt. Any other error — a connection error,
            // a loading or busy server, a Lua error that may have come after a write — is retried
            // (until the lock could lapse, then the job is left to the stalled sweep): never reported
            // as a refusal, which would fail a job whose commit went through.
            if step != nil, error.kind == .server, error.message.hasPrefix(FinishStep.refusalPrefix) {
                throw FinishStepRejected(message: error.message)
            }
            throw error
        }
        guard let items = reply.array, let code = items.first?.int else {
            throw QueueError("unexpected reply from moveToFinished: \(reply)", cause: .unexpectedReply)
        }
        if let step {
            // The step ran when its reply is there (also when the job was then found not active, −3).
            // Without it (a lost lock) the failure is reported where ``LostLock`` is caught.
            if items.count >= 5 {
                step.completion(.success(items[4]))
            } else if code == 0 {
                step.completion(.failure(QueueError("the finish step left no reply: \(reply)", cause: .unexpectedReply)))
            }
        }
        guard code == 0 else { throw LostLock(code: code) }
        state.withLock { _ = $0.heldLocks.removeValue(forKey: active.job.id) }
        guard fetchNext else { return nil }
        return try await fetched(reply, token: nextToken, offset: 1)
    }

    /// Moves the job back to be retried after `delay` ms (to `wait` at once when 0); a hand back
    /// (`countsAttempt` false) leaves `attemptsMade` unchanged.
    private func retry(
        _ active: ActiveJob, delay: Int, reason: String, stacktrace: String, countsAttempt: Bool = true
    ) async throws {
        let reply: RedisReply
        if delay > 0 {
            reply = try await client.evalScript(
                QueueScript.moveToDelayed,
                QueueScript.MoveToDelayedCall(
                    queue: keys, jobID: active.job.id, token: active.token, now: QueueClock.nowMilliseconds(),
                    delay: delay, failedReason: reason, stacktrace: stacktrace, countsAttempt: countsAttempt))
        } else {
            reply = try await client.evalScript(
                QueueScript.retryJob,
                QueueScript.RetryJobCall(
                    queue: keys, jobID: active.job.id, token: active.token, failedReason: reason,
                    stacktrace: stacktrace))
        }
        guard let code = reply.int else { throw QueueError("unexpected reply from retry: \(reply)", cause: .unexpectedReply) }
        guard code == 0 else { throw LostLock(code: code) }
    }

    private func renewLocksPeriodically() async {
        let interval = options.lockRenewInterval ?? max(1, options.lockDuration / 2)
        while !Task.isCancelled {
            do {
                try await Task.sleep(for: .milliseconds(interval))
            } catch {
                return
            }
            let held = state.withLock { $0.heldLocks }
            guard !held.isEmpty else { continue }
            do {
                let reply = try await client.evalScript(
                    QueueScript.extendLocks,
                    QueueScript.ExtendLocksCall(queue: keys, lockDuration: options.lockDuration, locks: held))
                let lost = reply.array?.compactMap(\.string) ?? []
                // A job that finished (or is finishing) since the snapshot lost its lock to its own
                // finishing call: only a job still running under the token renewed lost it for real.
                let reallyLost = lost.isEmpty ? [] : state.withLock { current in
                    lost.filter { id in current.heldLocks[id] == held[id] && !current.finishing.contains(id) }
                }
                for id in reallyLost {
                    logger.warning("lock of a running job was lost (stalled?)", metadata: ["job": "\(id)"])
                }
            } catch {
                logger.warning("renewing job locks failed", metadata: ["error": "\(error)"])
            }
        }
    }

    private func sweepStalledPeriodically() async {
        while !Task.isCancelled {
            do {
                let reply = try await client.evalScript(
                    QueueScript.moveStalledJobsToWait,
                    QueueScript.MoveStalledJobsToWaitCall(
                        queue: keys, maxStalledCount: options.maxStalledCount, now: QueueClock.nowMilliseconds(),
                        stalledInterval: options.stalledInterval))
                let recovered = reply.array?.compactMap(\.string) ?? []
                if !recovered.isEmpty {
                    logger.info("recovered stalled jobs", metadata: ["jobs": "\(recovered.joined(separator: ","))"])
                }
            } catch {
                logger.warning("stalled-job sweep failed", metadata: ["error": "\(error)"])
            }
            do {
                try await Task.sleep(for: .milliseconds(options.stalledInterval))
            } catch {
                return
            }
        }
    }

    private func backoff(_ failures: Int) async {
        try? await Task.sleep(for: .milliseconds(min(5000, 50 << min(failures, 7))))
    }

    static func randomHex(_ bytes: Int) -> String {
        var generator = SystemRandomNumberGenerator()
        return (0..<bytes).map { _ in
            let byte = UInt8.random(in: 0...255, using: &generator)
            return (byte < 16 ? "0" : "") + String(byte, radix: 16)
        }.joined()
    }
}

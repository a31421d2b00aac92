import FlowcraftModel
import Logging

/// The producer side of a BullMQ-compatible queue: adds jobs and inspects the queue.
///
/// Jobs added here are processed by this package's ``Worker`` or by BullMQ workers in Node or Python,
/// and the reverse: the data layout follows the BullMQ protocol.
public final class Queue: Sendable {
    /// The queue name (no `:`).
    public let name: String
    /// The key prefix, `bull` by default.
    public let prefix: String
    /// Default cap of the events stream, written to `meta` by the first add.
    public let maxEventsLength: Int
    let keys: QueueKeys
    let client: RedisClient

    /// - Throws: ``QueueError`` when the name is empty or contains `:`.
    public init(name: String, client: RedisClient, prefix: String = "bull", maxEventsLength: Int = QueueEventsStream.defaultMaximumLength) throws {
        guard !name.isEmpty, !name.contains(":") else {
            throw QueueError("invalid queue name '\(name)': it must be non-empty and contain no ':'", cause: .invalidName)
        }
        guard !prefix.isEmpty else { throw QueueError("the key prefix must not be empty", cause: .invalidName) }
        self.name = name
        self.prefix = prefix
        self.maxEventsLength = max(1, maxEventsLength)
        self.client = client
        keys = QueueKeys(prefix: prefix, queueName: name)
    }

    /// Adds one job and returns its id (for a custom id that already exists, that id: nothing is added).
    @discardableResult
    public func add(name: String, data: JSONValue, options: JobOptions = JobOptions()) async throws -> String {
        let command = try addCommand(JobDescription(name: name, data: data, options: options))
        let reply = try await client.execute(command)
        guard let id = reply.string else { throw QueueError("unexpected reply to add: \(reply)", cause: .unexpectedReply) }
        return id
    }

    /// Adds many jobs in one round trip (a pipeline of script calls) and returns their ids in order.
    ///
    /// Every job is validated before anything is sent. Each add is atomic on its own, not the batch.
    @discardableResult
    public func addBulk(_ jobs: [JobDescription]) async throws -> [String] {
        guard !jobs.isEmpty else { return [] }
        let commands = try jobs.map(addCommand)
        let replies = try await client.execute(commands)
        return try replies.map { result in
            let reply = try result.get(as: "addJob")
            guard let id = reply.string else { throw QueueError("unexpected reply to addBulk: \(reply)", cause: .unexpectedReply) }
            return id
        }
    }

    /// Stops workers from taking new jobs; adds still succeed.
    public func pause() async throws {
        _ = try await client.evalScript(QueueScript.pause, QueueScript.PauseCall(queue: keys, action: .pause))
    }

    /// Lets workers take jobs again.
    public func resume() async throws {
        _ = try await client.evalScript(QueueScript.pause, QueueScript.PauseCall(queue: keys, action: .resume))
    }

    /// Whether the queue is paused.
    public func isPaused() async throws -> Bool {
        try await client.execute(HEXISTS(key: keys.meta, field: "paused"))
    }

    /// The number of jobs in each state, read in one round trip.
    public func getJobCounts() async throws -> JobCounts {
        let (waiting, paused, active, completed, failed, delayed, prioritized, waitingChildren) = try await client.execute(
            LLEN(key: keys.wait), LLEN(key: keys.paused),
            LLEN(key: keys.active), ZCARD(key: keys.completed),
            ZCARD(key: keys.failed), ZCARD(key: keys.delayed),
            ZCARD(key: keys.prioritized), ZCARD(key: keys.waitingChildren))
        var counts = JobCounts()
        counts.waiting = (try? waiting.get()) ?? 0
        counts.paused = (try? paused.get()) ?? 0
        counts.active = (try? active.get()) ?? 0
        counts.completed = (try? completed.get()) ?? 0
        counts.failed = (try? failed.get()) ?? 0
        counts.delayed = (try? delayed.get()) ?? 0
        counts.prioritized = (try? prioritized.get()) ?? 0
        counts.waitingChildren = (try? waitingChildren.get()) ?? 0
        return counts
    }

    /// The job with this id, or `nil` when there is none.
    public func getJob(_ id: String) async throws -> Job? {
        let reply = try await client.execute(HGETALL(key: keys.job(id)))
        guard let items = reply.array, !items.isEmpty else { return nil }
        return Job(id: id, reply: reply)
    }

    /// The state of a job, checked in BullMQ's order in one round trip.
    public func getState(_ id: String) async throws -> JobState {
        let (completed, failed, delayed, prioritized, active, waiting, paused, waitingChildren) = try await client.execute(
            ZSCORE(key: keys.completed, member: id), ZSCORE(key: keys.failed, member: id),
            ZSCORE(key: keys.delayed, member: id), ZSCORE(key: keys.prioritized, member: id),
            LPOS(key: keys.active, element: id), LPOS(key: keys.wait, element: id),
            LPOS(key: keys.paused, element: id), ZSCORE(key: keys.waitingChildren, member: id))
        let found: [(JobState, Result<Bool, RedisError>)] = [
            (.completed, completed.map { $0 != nil }), (.failed, failed.map { $0 != nil }),
            (.delayed, delayed.map { $0 != nil }), (.prioritized, prioritized.map { $0 != nil }),
            (.active, active.map { $0 != nil }), (.waiting, waiting.map { $0 != nil }),
            (.paused, paused.map { $0 != nil }), (.waitingChildren, waitingChildren.map { $0 != nil }),
        ]
        for (state, isThere) in found where try isThere.get(as: "getState") {
            return state
        }
        return .unknown
    }

    private func addCommand(_ job: JobDescription) throws -> EVALSHA {
        let options = job.options
        if let id = options.jobId {
            guard !id.isEmpty, !id.utf8.contains(UInt8(ascii: ":")) else {
                throw QueueError("invalid job id '\(id)': it must be non-empty and contain no ':'", cause: .invalidJobOptions)
            }
            guard Int(id) == nil else {
                throw QueueError("invalid job id '\(id)': integer ids collide with generated ids", cause: .invalidJobOptions)
            }
        }
        guard options.delay >= 0 else { throw QueueError("delay must be ≥ 0, got \(options.delay)", cause: .invalidJobOptions) }
        guard (0...2_097_152).contains(options.priority) else {
            throw QueueError("priority must be in 0…2097152, got \(options.priority)", cause: .invalidJobOptions)
        }
        guard options.attempts >= 0 else { throw QueueError("attempts must be ≥ 0, got \(options.attempts)", cause: .invalidJobOptions) }
        if let dedup = options.deduplicationId, dedup.isEmpty {
            throw QueueError("the deduplication id must not be empty", cause: .invalidJobOptions)
        }
        let call = QueueScript.AddJobCall(
            queue: keys, customID: options.jobId ?? "", name: job.name, data: JSONText.serialize(job.data),
            options: JSONText.serialize(options.json), timestamp: QueueClock.nowMilliseconds(), delay: options.delay,
            priority: options.priority, lifo: options.lifo, defaultEventsCap: maxEventsLength,
            deduplicationID: options.deduplicationId ?? "", deduplicationTTL: max(0, options.deduplicationTTL ?? 0))
        return EVALSHA(QueueScript.addJob, call)
    }
}

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
        let reply = try await client.send(command)
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
        let replies = try await client.pipeline(commands)
        return try replies.map { reply in
            if let message = reply.errorMessage { throw RedisError.server(message, command: "addJob") }
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
        try await client.send(RedisCommand(["HEXISTS", keys.meta, "paused"])).int == 1
    }

    /// The number of jobs in each state, read in one round trip.
    public func getJobCounts() async throws -> JobCounts {
        let replies = try await client.pipeline([
            RedisCommand(["LLEN", keys.wait]), RedisCommand(["LLEN", keys.paused]),
            RedisCommand(["LLEN", keys.active]), RedisCommand(["ZCARD", keys.completed]),
            RedisCommand(["ZCARD", keys.failed]), RedisCommand(["ZCARD", keys.delayed]),
            RedisCommand(["ZCARD", keys.prioritized]), RedisCommand(["ZCARD", keys.waitingChildren]),
        ])
        let values = replies.map { $0.int ?? 0 }
        guard values.count == 8 else { throw QueueError("unexpected reply to getJobCounts", cause: .unexpectedReply) }
        var counts = JobCounts()
        counts.waiting = values[0]
        counts.paused = values[1]
        counts.active = values[2]
        counts.completed = values[3]
        counts.failed = values[4]
        counts.delayed = values[5]
        counts.prioritized = values[6]
        counts.waitingChildren = values[7]
        return counts
    }

    /// The job with this id, or `nil` when there is none.
    public func getJob(_ id: String) async throws -> Job? {
        let reply = try await client.send(RedisCommand(["HGETALL", keys.job(id)]))
        guard let items = reply.array, !items.isEmpty else { return nil }
        return Job(id: id, reply: reply)
    }

    /// The state of a job, checked in BullMQ's order in one round trip.
    public func getState(_ id: String) async throws -> JobState {
        let replies = try await client.pipeline([
            RedisCommand(["ZSCORE", keys.completed, id]), RedisCommand(["ZSCORE", keys.failed, id]),
            RedisCommand(["ZSCORE", keys.delayed, id]), RedisCommand(["ZSCORE", keys.prioritized, id]),
            RedisCommand(["LPOS", keys.active, id]), RedisCommand(["LPOS", keys.wait, id]),
            RedisCommand(["LPOS", keys.paused, id]), RedisCommand(["ZSCORE", keys.waitingChildren, id]),
        ])
        let states: [JobState] = [
            .completed, .failed, .delayed, .prioritized, .active, .waiting, .paused, .waitingChildren,
        ]
        for (state, reply) in zip(states, replies) {
            if let message = reply.errorMessage { throw RedisError.server(message, command: "getState") }
            if !reply.isNull { return state }
        }
        return .unknown
    }

    private func addCommand(_ job: JobDescription) throws -> RedisCommand {
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
        return QueueScript.addJob.evalSHACommand(keys: call.keys, arguments: call.arguments)
    }
}

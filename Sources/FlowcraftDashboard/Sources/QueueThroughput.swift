import FlowcraftRedis

/// Jobs finished per 10-second bucket over the last 10 minutes, counted from the queue's events
/// stream (`<prefix>:<queue>:events`, its `completed` and `failed` entries, bucketed by the
/// entries' own timestamps). Read incrementally with `XRANGE` from the last entry seen, only when a
/// page asks (no background task, no `KEYS`/`SCAN`); a stream trimmed by its `MAXLEN` cap (busy
/// queues) undercounts the oldest buckets.
actor QueueThroughput {
    static let bucketMilliseconds: Int64 = 10_000
    static let bucketCount = 60
    /// Entries read per `XRANGE` call, and calls per refresh at most.
    static let pageSize = 1000
    static let maximumPages = 20

    let client: RedisClient
    let key: String
    private var lastID: String?
    private var buckets: [Int64: (completed: Int, failed: Int)] = [:]

    init(client: RedisClient, key: String) {
        self.client = client
        self.key = key
    }

    /// The read of new entries under way: a refresh that arrives meanwhile waits for it instead of
    /// reading the same entries again (found by review: requests arriving together each counted them,
    /// the actor being re-entered at every `XRANGE`).
    private var reading: Task<Void, any Error>?

    /// Reads the entries added since the last call and returns the buckets, oldest first.
    func refresh(now: Int64) async throws -> [ThroughputBucket] {
        if let reading {
            try await reading.value
        } else {
            let read = Task { try await self.readNewEntries(now: now) }
            reading = read
            defer { reading = nil }
            try await read.value
        }
        let first = Self.firstBucket(now: now)
        buckets = buckets.filter { $0.key >= first }
        return (0..<Self.bucketCount).map { index in
            let bucket = first + Int64(index) * Self.bucketMilliseconds
            let counts = buckets[bucket] ?? (0, 0)
            return ThroughputBucket(start: bucket, completed: counts.completed, failed: counts.failed)
        }
    }

    /// The oldest bucket shown at `now`.
    static func firstBucket(now: Int64) -> Int64 {
        let current = now - now % bucketMilliseconds
        return current - bucketMilliseconds * Int64(bucketCount - 1)
    }

    /// Counts the stream's entries after the last one seen (at most ``maximumPages`` pages).
    private func readNewEntries(now: Int64) async throws {
        let window = Self.bucketMilliseconds * Int64(Self.bucketCount)
        var start = lastID.map { "(" + $0 } ?? "\(now - window)-0"
        for _ in 0..<Self.maximumPages {
            let reply = try await client.send(RedisCommand(["XRANGE", key, start, "+", "COUNT", String(Self.pageSize)]))
            if let message = reply.errorMessage { throw RedisError.server(message, command: "XRANGE") }
            let entries = reply.array ?? []
            for entry in entries {
                guard let pair = entry.array, pair.count == 2, let id = pair[0].string else { continue }
                lastID = id
                let fields = pair[1].array ?? []
                var event: String?
                var i = 0
                while i + 1 < fields.count {
                    if fields[i].string == "event" { event = fields[i + 1].string }
                    i += 2
                }
                guard event == "completed" || event == "failed",
                    let ms = Int64(id.split(separator: "-").first ?? "")
                else { continue }
                let bucket = ms - ms % Self.bucketMilliseconds
                var counts = buckets[bucket] ?? (0, 0)
                if event == "completed" { counts.completed += 1 } else { counts.failed += 1 }
                buckets[bucket] = counts
            }
            guard entries.count == Self.pageSize, let lastID else { break }
            start = "(" + lastID
        }
    }
}

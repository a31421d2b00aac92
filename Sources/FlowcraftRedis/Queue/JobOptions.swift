import FlowcraftModel

/// Options of one job, mirroring BullMQ's `opts`; stored in the job hash as JSON so BullMQ clients in
/// other languages read them.
public struct JobOptions: Sendable, Hashable {
    /// A custom id. Adding a job whose id already exists adds nothing (the first job wins).
    /// May not contain `:` nor look like an integer (those collide with generated ids).
    public var jobId: String?
    /// Milliseconds to wait before the job becomes ready.
    public var delay: Int
    /// 0 = no priority; 1 is the highest, up to 2 097 152.
    public var priority: Int
    /// Take this job before the ones already waiting.
    public var lifo: Bool
    /// Total attempts including the first (0 or 1 = no retries).
    public var attempts: Int
    /// Wait between attempts; `nil` retries at once.
    public var backoff: Backoff?
    /// What happens to the job when it completes.
    public var removeOnComplete: JobRetention
    /// What happens to the job when it finally fails.
    public var removeOnFail: JobRetention
    /// Deduplication: while a job with this id exists (or for `deduplicationTTL` ms), further adds
    /// with the same id return the first job's id.
    public var deduplicationId: String?
    /// Lifetime of the deduplication key in milliseconds; `nil` = until the job finishes.
    public var deduplicationTTL: Int?

    /// Options; by default none of them set (BullMQ's defaults).
    public init(
        jobId: String? = nil, delay: Int = 0, priority: Int = 0, lifo: Bool = false, attempts: Int = 0,
        backoff: Backoff? = nil, removeOnComplete: JobRetention = .keepAll,
        removeOnFail: JobRetention = .keepAll, deduplicationId: String? = nil, deduplicationTTL: Int? = nil
    ) {
        self.jobId = jobId
        self.delay = delay
        self.priority = priority
        self.lifo = lifo
        self.attempts = attempts
        self.backoff = backoff
        self.removeOnComplete = removeOnComplete
        self.removeOnFail = removeOnFail
        self.deduplicationId = deduplicationId
        self.deduplicationTTL = deduplicationTTL
    }

    /// The `opts` JSON as BullMQ writes it (`delay` and `attempts` always present, the rest when set;
    /// deduplication under its short key `de`).
    public var json: JSONValue {
        var members: [String: JSONValue] = ["delay": .int(delay), "attempts": .int(attempts)]
        if let jobId { members["jobId"] = .string(jobId) }
        if priority != 0 { members["priority"] = .int(priority) }
        if lifo { members["lifo"] = true }
        if let backoff { members["backoff"] = backoff.json }
        if removeOnComplete != .keepAll { members["removeOnComplete"] = removeOnComplete.json }
        if removeOnFail != .keepAll { members["removeOnFail"] = removeOnFail.json }
        if let deduplicationId {
            var de: [String: JSONValue] = ["id": .string(deduplicationId)]
            if let deduplicationTTL { de["ttl"] = .int(deduplicationTTL) }
            members["de"] = .object(de)
        }
        return .object(members)
    }

    /// Reads an `opts` JSON object; missing or malformed members take their defaults.
    public init(json: JSONValue) {
        let dedup = json["de"] ?? json["deduplication"]
        self.init(
            jobId: json["jobId"]?.stringValue,
            delay: json["delay"]?.intValue ?? 0,
            priority: json["priority"]?.intValue ?? 0,
            lifo: json["lifo"]?.boolValue ?? false,
            attempts: json["attempts"]?.intValue ?? 0,
            backoff: Backoff(json: json["backoff"]),
            removeOnComplete: JobRetention(json: json["removeOnComplete"]),
            removeOnFail: JobRetention(json: json["removeOnFail"]),
            deduplicationId: dedup?["id"]?.stringValue,
            deduplicationTTL: dedup?["ttl"]?.intValue
        )
    }
}

import FlowcraftModel

/// A job as stored in its Redis hash, with every field BullMQ writes parsed.
public struct Job: Sendable, Hashable {
    /// The job's id.
    public let id: String
    /// The job's name (BullMQ's job name).
    public let name: String
    /// The `data` field exactly as stored (JSON text).
    public let dataText: String
    /// `dataText` parsed, or `.null` when it is not valid JSON (see ``dataError``).
    public let data: JSONValue
    /// Why `dataText` is not valid JSON, or `nil` when it parsed.
    public let dataError: String?
    /// The job's options, parsed from `opts`.
    public let options: JobOptions
    /// The `opts` field as stored (JSON text).
    public let optionsText: String
    /// Creation time, milliseconds since 1970 (producer clock).
    public let timestamp: Int
    /// Delay before the job first became ready, in milliseconds.
    public let delay: Int
    /// Priority (0 = none; lower runs first).
    public let priority: Int
    /// Attempts started (`ats`): +1 each time the job moves to active.
    public let attemptsStarted: Int
    /// Attempts made (`atm`, or legacy `attemptsMade`): +1 on completion and on every failure.
    public let attemptsMade: Int
    /// Times the job was recovered from a stalled worker (`stc`).
    public let stalledCount: Int
    /// When the current or last attempt started (ms since 1970).
    public let processedOn: Int?
    /// The worker that last took the job (`pb`).
    public let processedBy: String?
    /// When the job completed or failed for good (ms since 1970).
    public let finishedOn: Int?
    /// The `returnvalue` field as stored (JSON text), when completed.
    public let returnValueText: String?
    /// The last failure's message.
    public let failedReason: String?
    /// One entry per failed attempt (most recent last).
    public let stacktrace: [String]
    /// A failure decided while the job was not running (`defa`, e.g. stalled too often): the next
    /// worker to take it fails it at once.
    public let deferredFailure: String?
    /// Progress the processor reported, if any.
    public let progress: JSONValue?
    /// Every field of the hash, raw.
    public let fields: [String: String]
    /// The members present in `opts`, to tell an unset option from its default.
    let optionKeys: Set<String>

    /// The parsed `returnvalue` (its raw text as a string when it is not JSON).
    public var returnValue: JSONValue? {
        guard let returnValueText else { return nil }
        return (try? JSONText.parse(returnValueText)) ?? .string(returnValueText)
    }

    /// Builds a job from its hash fields; `nil` when the hash lacks the fields every job has.
    public init?(id: String, fields: [String: String]) {
        guard let name = fields["name"], let dataText = fields["data"] else { return nil }
        self.id = id
        self.name = name
        self.dataText = dataText
        do {
            data = try JSONText.parse(dataText)
            dataError = nil
        } catch {
            data = .null
            dataError = error.description
        }
        optionsText = fields["opts"] ?? "{}"
        let optionsJSON = (try? JSONText.parse(optionsText)) ?? .object([:])
        options = JobOptions(json: optionsJSON)
        optionKeys = Set(optionsJSON.objectValue.map { Array($0.keys) } ?? [])
        timestamp = fields["timestamp"].flatMap { Int($0) } ?? 0
        delay = fields["delay"].flatMap { Int($0) } ?? 0
        priority = fields["priority"].flatMap { Int($0) } ?? 0
        attemptsStarted = fields["ats"].flatMap { Int($0) } ?? 0
        attemptsMade = (fields["atm"] ?? fields["attemptsMade"]).flatMap { Int($0) } ?? 0
        stalledCount = fields["stc"].flatMap { Int($0) } ?? 0
        processedOn = fields["processedOn"].flatMap { Int($0) }
        processedBy = fields["pb"]
        finishedOn = fields["finishedOn"].flatMap { Int($0) }
        returnValueText = fields["returnvalue"]
        failedReason = fields["failedReason"]
        stacktrace = fields["stacktrace"]
            .flatMap { try? JSONText.parse($0) }?.arrayValue?
            .map { $0.stringValue ?? JSONText.serialize($0) } ?? []
        deferredFailure = fields["defa"]
        progress = fields["progress"].flatMap { try? JSONText.parse($0) }
        self.fields = fields
    }

    /// Builds a job from an HGETALL-style reply (alternating field names and values).
    init?(id: String, reply: RedisReply) {
        guard let items = reply.array, items.count % 2 == 0 else { return nil }
        var fields: [String: String] = [:]
        fields.reserveCapacity(items.count / 2)
        var index = 0
        while index < items.count {
            if let key = items[index].string, let value = items[index + 1].string { fields[key] = value }
            index += 2
        }
        self.init(id: id, fields: fields)
    }
}

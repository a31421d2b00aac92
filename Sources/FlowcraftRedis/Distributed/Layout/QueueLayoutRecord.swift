/// The layout a queue's workers and clients agreed on, recorded in Redis under
/// `flowcraft:layout:<queue>` (a plain string key outside every hash tag, written and read only with
/// single-key commands, once at startup — never on a job's path).
///
/// The first worker or client given an explicit layout records it (`SET NX`); later ones verify theirs
/// against it, and a mismatch is an error naming both. One given none reads it: no record means
/// ``QueueLayout/single`` (a queue from before layouts existed).
public enum QueueLayoutRecord {
    /// The key holding `queueName`'s layout (``QueueLayout/description``).
    public static func key(queue queueName: String) -> String { "flowcraft:layout:\(queueName)" }

    /// The layout of `queueName`: `given` (recorded when nothing is, else checked against the record)
    /// or, when `given` is `nil`, the recorded one (``QueueLayout/single`` when none is).
    /// - Throws: ``DistributedError`` (`layoutMismatch`) when `given` differs from the record,
    ///   (`invalidLayout`) for an invalid `given` or an unreadable record.
    public static func resolve(_ given: QueueLayout?, queueName: String, client: RedisClient) async throws -> QueueLayout {
        let key = key(queue: queueName)
        guard let given else {
            guard let text = try await client.execute(GET(key: key)) else { return .single }
            return try recorded(text, key: key)
        }
        try given.validate()
        // Records `given` unless a layout is recorded already, whose value comes back.
        guard let text = try await client.execute(SET(key: key, value: given.description, onlyIfNotExists: true, returnPrevious: true))
        else { return given }
        let existing = try recorded(text, key: key)
        guard existing == given else {
            throw DistributedError(
                "queue '\(queueName)' is laid out as \(existing) (recorded in '\(key)'), but this process was given \(given); "
                    + "use the recorded layout (or move the queue's runs off before changing it)",
                cause: .layoutMismatch)
        }
        return given
    }

    private static func recorded(_ text: String, key: String) throws -> QueueLayout {
        do {
            return try QueueLayout(parsing: text)
        } catch {
            throw DistributedError("the queue layout recorded in '\(key)' is not valid: '\(text)'", cause: .invalidLayout)
        }
    }
}

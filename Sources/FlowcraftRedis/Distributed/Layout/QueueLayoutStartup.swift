import Logging

extension QueueLayoutRecord {
    /// ``resolve(_:queueName:client:)`` for a worker that starts while Redis cannot be reached (down,
    /// restarting, or failing over to a replica): tried again, after 100 ms doubling up to 1 s, until
    /// Redis answers, so that such a worker waits for Redis as a running one does instead of exiting.
    /// What Redis answers is final: a layout mismatch or an unreadable record is thrown at once.
    /// - Parameter shouldStop: checked after each wait; `true` (e.g. the worker was closed, or the
    ///   service is shutting down) ends the wait with `nil`. Cancellation throws `CancellationError`.
    public static func resolveWaitingForRedis(
        _ given: QueueLayout?, queueName: String, client: RedisClient, logger: Logger,
        shouldStop: @Sendable () -> Bool = { false }
    ) async throws -> QueueLayout? {
        var failures = 0
        while true {
            do {
                let layout = try await resolve(given, queueName: queueName, client: client)
                if failures > 0 { logger.info("read the queue's layout; Redis answers again", metadata: ["queue": "\(queueName)"]) }
                return layout
            } catch let error as RedisError where error.isNodeDown {
                failures += 1
                if failures == 1 {
                    logger.warning(
                        "cannot read the queue's layout: Redis cannot be reached; trying again until it answers",
                        metadata: ["queue": "\(queueName)", "error": "\(error)"])
                }
                try await Task.sleep(for: .milliseconds(min(1_000, 50 << min(failures, 5))))
                if shouldStop() { return nil }
            }
        }
    }
}

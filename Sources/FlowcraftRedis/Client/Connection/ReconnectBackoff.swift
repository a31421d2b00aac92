/// Exponential, capped, jittered delays between reconnection attempts.
///
/// The first attempt after a connection is lost is immediate; each failed attempt doubles the wait
/// (from `baseDelay` up to `maxDelay`), with ±20 % jitter so a fleet of workers does not reconnect
/// in lockstep after a Redis restart.
struct ReconnectBackoff {
    let baseDelay: Duration
    let maxDelay: Duration
    private(set) var consecutiveFailures = 0
    private var nextAttempt: ContinuousClock.Instant?

    init(baseDelay: Duration, maxDelay: Duration) {
        self.baseDelay = max(baseDelay, .zero)
        self.maxDelay = max(maxDelay, self.baseDelay)
    }

    /// How long to wait before the next attempt may start (`nil`: go ahead now).
    func remainingDelay(now: ContinuousClock.Instant) -> Duration? {
        guard let nextAttempt, nextAttempt > now else { return nil }
        return nextAttempt - now
    }

    /// The delay the next failure will impose (for log messages).
    func delay(afterFailures failures: Int) -> Duration {
        guard failures > 0 else { return .zero }
        var delay = baseDelay
        var step = 1
        while step < failures, delay < maxDelay {
            delay = delay * 2
            step += 1
        }
        return min(delay, maxDelay)
    }

    mutating func recordFailure(now: ContinuousClock.Instant) {
        consecutiveFailures += 1
        let delay = delay(afterFailures: consecutiveFailures)
        let jitter = Double.random(in: 0.8...1.2)
        nextAttempt = now + delay * jitter
    }

    mutating func recordSuccess() {
        consecutiveFailures = 0
        nextAttempt = nil
    }
}

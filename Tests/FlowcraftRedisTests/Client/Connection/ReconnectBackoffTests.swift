@testable import FlowcraftRedis
import Testing

@Suite("Reconnection back-off")
struct ReconnectBackoffTests {
    @Test func doublesUpToTheCap() {
        let backoff = ReconnectBackoff(baseDelay: .milliseconds(50), maxDelay: .seconds(1))
        #expect(backoff.delay(afterFailures: 0) == .zero)
        #expect(backoff.delay(afterFailures: 1) == .milliseconds(50))
        #expect(backoff.delay(afterFailures: 2) == .milliseconds(100))
        #expect(backoff.delay(afterFailures: 5) == .milliseconds(800))
        #expect(backoff.delay(afterFailures: 6) == .seconds(1))
        #expect(backoff.delay(afterFailures: 1000) == .seconds(1))
    }

    @Test func firstAttemptIsImmediateAndSuccessResets() {
        var backoff = ReconnectBackoff(baseDelay: .milliseconds(100), maxDelay: .seconds(2))
        let now = ContinuousClock.now
        #expect(backoff.remainingDelay(now: now) == nil)
        backoff.recordFailure(now: now)
        let remaining = backoff.remainingDelay(now: now)
        // ±20 % jitter around the 100 ms base delay.
        #expect(remaining.map { $0 >= .milliseconds(80) && $0 <= .milliseconds(120) } == true)
        #expect(backoff.remainingDelay(now: now + .seconds(1)) == nil)
        backoff.recordSuccess()
        #expect(backoff.consecutiveFailures == 0)
        #expect(backoff.remainingDelay(now: now) == nil)
    }
}

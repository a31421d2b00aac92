/// How the delay between attempts grows: `retryDelay × multiplier^(attempt−1)`, capped at
/// `maximumDelay`, then stretched by a random factor in `[1, 1 + jitter)` so that many failing
/// nodes do not retry in lockstep.
public struct RetryBackoff: Sendable, Hashable {
    /// Factor by which each retry's delay grows (2 doubles it).
    public var multiplier: Double
    /// Fraction of random extra delay, `0` for none.
    public var jitter: Double
    /// Upper bound in milliseconds before jitter.
    public var maximumDelay: Int64

    /// A backoff; by default doubling, 20 % jitter, at most 5 minutes.
    public init(multiplier: Double = 2, jitter: Double = 0.2, maximumDelay: Int64 = 300_000) {
        self.multiplier = multiplier
        self.jitter = jitter
        self.maximumDelay = maximumDelay
    }

    /// Exponential backoff with 20 % jitter.
    public static let `default` = RetryBackoff()

    /// The delay before attempt `failedAttempt + 1`, given the node's base `retryDelay`.
    public func delay(base: Int, afterAttempt failedAttempt: Int) -> Int64 {
        guard base > 0 else { return 0 }
        let exponent = Double(max(0, failedAttempt - 1))
        var value = Double(base) * pow(multiplier, exponent)
        value = min(value, Double(maximumDelay))
        if jitter > 0 { value *= 1 + Double.random(in: 0..<jitter) }
        return Int64(value.rounded())
    }
}

private func pow(_ base: Double, _ exponent: Double) -> Double {
    var result = 1.0
    var i = 0.0
    while i < exponent && result < 1e18 {
        result *= base
        i += 1
    }
    return result
}

import FlowcraftModel

/// The wait before a failed job's next attempt: BullMQ's `backoff` option.
public struct Backoff: Sendable, Hashable {
    /// How the delay grows with each attempt.
    public enum Kind: String, Sendable, Hashable {
        /// The same delay every time.
        case fixed
        /// `2^(attempts made) · delay`: the first retry waits `delay`, the next twice that, and so on.
        case exponential
    }

    /// Fixed or exponential.
    public var kind: Kind
    /// Base delay in milliseconds.
    public var delay: Int
    /// 0…1: the fraction of the delay that is randomised (0 = exact delays).
    public var jitter: Double

    /// A backoff of `kind` from `delay` ms; negative delays count as 0, jitter is clamped to 0…1.
    public init(_ kind: Kind, delay: Int, jitter: Double = 0) {
        self.kind = kind
        self.delay = max(0, delay)
        self.jitter = min(1, max(0, jitter))
    }

    /// Milliseconds to wait before the next attempt, given the attempts made before this failure.
    public func delay(afterAttemptsMade attemptsMade: Int) -> Int {
        let base: Double
        switch kind {
        case .fixed: base = Double(delay)
        case .exponential: base = (pow2(max(0, attemptsMade)) * Double(delay)).rounded()
        }
        guard jitter > 0 else { return Int(min(base, Double(Int32.max))) }
        let randomised = base * (1 - jitter) + Double.random(in: 0...1) * base * jitter
        return Int(min(randomised.rounded(.down), Double(Int32.max)))
    }

    private func pow2(_ exponent: Int) -> Double {
        exponent >= 62 ? Double(Int64.max) : Double(Int64(1) << exponent)
    }

    var json: JSONValue {
        var members: [String: JSONValue] = ["type": .string(kind.rawValue), "delay": .int(delay)]
        if jitter > 0 { members["jitter"] = .double(jitter) }
        return .object(members)
    }

    /// Reads `{type, delay, jitter?}` or a bare number (a fixed delay), as BullMQ accepts both.
    init?(json: JSONValue?) {
        guard let json else { return nil }
        if let number = json.intValue {
            self.init(.fixed, delay: number)
            return
        }
        guard let type = json["type"]?.stringValue, let kind = Kind(rawValue: type) else { return nil }
        self.init(kind, delay: json["delay"]?.intValue ?? 0, jitter: json["jitter"]?.doubleValue ?? 0)
    }
}

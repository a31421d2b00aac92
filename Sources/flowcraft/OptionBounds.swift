import ArgumentParser

/// The accepted range of every numeric command-line option. Each command checks its options in
/// `validate()`, so a value out of range (or not finite) is a usage error (exit 2) naming the option,
/// never a crash or an allocation the machine cannot hold.
enum OptionBounds {
    /// `--concurrency` of `run`, `worker` and `queue-worker`: nodes or jobs in flight at once.
    static let concurrency = 1...1_024
    /// `--lock-duration` of `worker` and `queue-worker`, in milliseconds (up to a day).
    static let lockDurationMilliseconds = 10...86_400_000
    /// `--stalled-interval` of `worker` and `queue-worker`, in milliseconds (up to a day).
    static let stalledIntervalMilliseconds = 10...86_400_000
    /// `--work-ms` of `worker --simulate`, in milliseconds (up to an hour).
    static let workMilliseconds = 0...3_600_000
    /// `--state-ttl` of the distributed commands, in seconds (0 keeps state; up to ten years).
    static let stateTTLSeconds = 0...315_360_000
    /// `status --wait`, in seconds (up to a day).
    static let waitSeconds = 0.0...86_400.0
    /// `reconcile --stalled-threshold`, in seconds (up to a year).
    static let stalledThresholdSeconds = 0.0...31_536_000.0

    /// Throws a usage error naming `option` unless `value` lies in `range`.
    static func check(_ value: Int, in range: ClosedRange<Int>, option: String, unit: String = "") throws {
        guard range.contains(value) else {
            throw ValidationError(
                "\(option) must be a whole number from \(range.lowerBound) to \(range.upperBound)\(unit.isEmpty ? "" : " " + unit), got \(value)")
        }
    }

    /// Throws a usage error naming `option` unless `value` is a finite number in `range`.
    static func check(_ value: Double, in range: ClosedRange<Double>, option: String, unit: String = "") throws {
        guard value.isFinite, range.contains(value) else {
            throw ValidationError(
                "\(option) must be a finite number from \(format(range.lowerBound)) to \(format(range.upperBound))\(unit.isEmpty ? "" : " " + unit), got \(value)")
        }
    }

    private static func format(_ value: Double) -> String {
        value == value.rounded() && abs(value) < 1e15 ? String(Int(value)) : String(value)
    }
}

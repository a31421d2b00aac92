/// Thrown by a processor that cannot run a job but another worker may: the job goes back to the
/// delayed set for `delayMilliseconds` (then to `wait` for any worker), without counting an attempt
/// and without a `failed` event. Its `failedReason` says why, for queue tooling.
struct JobHandBack: Error, Sendable, CustomStringConvertible {
    let delayMilliseconds: Int
    let reason: String

    var description: String { reason }
}

import ArgumentParser
import FlowcraftRedis

/// `flowcraft worker`'s job retention and stalled-job settings (kept apart from the command's other
/// options). Each is validated before the worker connects.
struct WorkerProductionOptions: ParsableArguments {
    @Option(
        parsing: .unconditional,
        help: ArgumentHelp(
            "Completed jobs kept per queue: a count (0 removes each at once) or 'all' (none older than --state-ttl either way).",
            valueName: "n|all"))
    var keepCompleted: RetainedJobCount = .count(1_000)

    @Option(
        parsing: .unconditional,
        help: ArgumentHelp(
            "Failed jobs kept per queue: a count (0 removes each at once) or 'all' (none older than --state-ttl either way).",
            valueName: "n|all"))
    var keepFailed: RetainedJobCount = .count(10_000)

    @Option(parsing: .unconditional, help: "Times a job may stall (its worker died) and be recovered before it fails (0…1000).")
    var maxStalledCount = 1

    @Option(parsing: .unconditional, help: "Milliseconds between lock renewals (default: half the lock duration; must be below it).")
    var lockRenewInterval: Int?

    static let maximumStalledCount = 1_000

    func validate() throws {
        guard (0...Self.maximumStalledCount).contains(maxStalledCount) else {
            throw ValidationError("--max-stalled-count must be from 0 to \(Self.maximumStalledCount), got \(maxStalledCount)")
        }
        if let lockRenewInterval, lockRenewInterval < 1 {
            throw ValidationError("--lock-renew-interval must be at least 1 ms, got \(lockRenewInterval)")
        }
    }

    /// Checks what depends on other options: the renewal interval must be below the lock duration.
    func validate(lockDuration: Int) throws {
        if let lockRenewInterval, lockRenewInterval >= lockDuration {
            throw ValidationError(
                "--lock-renew-interval (\(lockRenewInterval) ms) must be below --lock-duration (\(lockDuration) ms)")
        }
    }

    /// Applies the retention to the engine's options and the stalled-job settings to the worker's.
    func apply(to options: inout DistributedOptions, worker: inout WorkerOptions) {
        options.keepCompletedJobs = keepCompleted.limit
        options.keepFailedJobs = keepFailed.limit
        worker.maxStalledCount = maxStalledCount
        worker.lockRenewInterval = lockRenewInterval
    }
}

/// A `--keep-completed`/`--keep-failed` value: a count of jobs or `all`.
enum RetainedJobCount: ExpressibleByArgument, Equatable {
    case count(Int)
    case all

    static let maximum = 100_000_000

    init?(argument: String) {
        if argument == "all" {
            self = .all
        } else if let count = Int(argument), (0...Self.maximum).contains(count) {
            self = .count(count)
        } else {
            return nil
        }
    }

    /// The count, `nil` for all.
    var limit: Int? {
        if case .count(let count) = self { return count }
        return nil
    }

    var defaultValueDescription: String {
        switch self {
        case .all: return "all"
        case .count(let count): return String(count)
        }
    }
}

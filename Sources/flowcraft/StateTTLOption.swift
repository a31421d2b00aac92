import ArgumentParser
import FlowcraftRedis

/// `--state-ttl`, on the commands that may finish a run (`worker`, `resume`, `cancel`, `reconcile`):
/// a run's state, status and history expire that long after the command that finished it wrote
/// its end. `start` and `redrive` refuse it (``RefusedStateTTLOption``): the run they start ends in
/// a worker, with the worker's TTL.
struct StateTTLOption: ParsableArguments {
    @Option(parsing: .unconditional, help: "Seconds (0…315360000) a run this command finishes keeps its state, status and history (0 keeps them).")
    var stateTtl = DistributedOptions.defaultStateTTLSeconds

    func validate() throws {
        try OptionBounds.check(stateTtl, in: OptionBounds.stateTTLSeconds, option: "--state-ttl", unit: "seconds")
    }
}

/// `--state-ttl` given to a command whose runs end elsewhere: refused with the reason (it was
/// accepted and silently ignored).
struct RefusedStateTTLOption: ParsableArguments {
    // Unconditional: `--state-ttl -5` is refused with the reason too, not as a missing value.
    @Option(parsing: .unconditional, help: .hidden)
    var stateTtl: String?

    func validate() throws {
        guard stateTtl != nil else { return }
        throw ValidationError(
            "--state-ttl: a run's state TTL is set by the command that finishes it — give it to the workers (flowcraft worker --state-ttl SECONDS), or to resume/cancel/reconcile")
    }
}

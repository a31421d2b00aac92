/// How workers of different deploys share a queue (a rolling deploy): a worker that lacks the
/// blueprint a job's run needs (its id, its version label, or the graph its fingerprint names) hands
/// the job back to the queue for another worker instead of failing it, and the run fails only when no
/// live worker has that blueprint for ``missingBlueprintTimeout``.
public struct RollingDeployOptions: Sendable, Hashable {
    /// How long a handed-back job waits in the delayed set before a worker takes it again (a hand
    /// back never counts as an attempt). Each hand back adds up to 50% random jitter.
    public var handBackDelay: Duration
    /// How long a run may wait for a live worker that has its blueprint before it fails, naming the
    /// blueprint, version and fingerprint.
    public var missingBlueprintTimeout: Duration
    /// How often a worker re-advertises its blueprints; an advertisement older than three intervals
    /// is no longer live (a worker that died drops out after that).
    public var advertisementInterval: Duration
    /// How long a ``WorkflowClient`` reuses its last read of the live workers' advertisements for
    /// the check that refuses a start (or resume, or redrive) of a graph another live worker has
    /// under the same id and version label. Without it every start reads them (one `HGETALL` of one
    /// key, which in a cluster lands on one master for every start). Within this window a worker
    /// that has just started with a conflicting graph is not seen by the check; the run is still
    /// kept apart from it, since a worker runs a job only with the graph its run names. A kept read
    /// with an advertisement that lapsed since is read again (however long this is). Zero reads on
    /// every start.
    public var graphCheckMaxAge: Duration

    /// Options; by default a 1 s hand-back delay, a 300 s wait for a missing blueprint, a 10 s
    /// advertisement interval and a 1 s reuse of the graph check's read.
    public init(
        handBackDelay: Duration = .seconds(1), missingBlueprintTimeout: Duration = .seconds(300),
        advertisementInterval: Duration = .seconds(10), graphCheckMaxAge: Duration = .seconds(1)
    ) {
        self.handBackDelay = handBackDelay
        self.missingBlueprintTimeout = missingBlueprintTimeout
        self.advertisementInterval = advertisementInterval
        self.graphCheckMaxAge = graphCheckMaxAge
    }

    var handBackDelayMilliseconds: Int { max(1, Self.milliseconds(handBackDelay)) }
    var missingBlueprintTimeoutMilliseconds: Int { max(0, Self.milliseconds(missingBlueprintTimeout)) }
    var advertisementIntervalMilliseconds: Int { max(50, Self.milliseconds(advertisementInterval)) }
    /// An advertisement is live for three intervals.
    var advertisementLifetimeMilliseconds: Int { advertisementIntervalMilliseconds * 3 }

    /// Whole milliseconds of `duration`, clamped to a day-free safe range (0…10 years).
    static func milliseconds(_ duration: Duration) -> Int {
        let (seconds, attoseconds) = duration.components
        guard seconds >= 0 else { return 0 }
        let cap: Int64 = 315_360_000
        return Int(min(seconds, cap)) * 1000 + Int(attoseconds / 1_000_000_000_000_000)
    }
}

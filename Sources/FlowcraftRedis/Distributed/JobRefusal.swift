/// Why a node job fails for good before its node could commit.
///
/// A refusal that `endsRun` ends the job's run `failed` with the reason (``RunAbortScript``): the run
/// could never go on (its blueprint or version is unknown to the worker, the node is not in the
/// blueprint, a run key holds the wrong Redis type). Otherwise only the job fails and nothing is
/// written: a job that names a run that does not exist but is not one that starts a run.
struct JobRefusal: Error, Sendable, CustomStringConvertible {
    let reason: String
    let endsRun: Bool

    init(_ reason: String, endsRun: Bool = true) {
        self.reason = reason
        self.endsRun = endsRun
    }

    var description: String { reason }

    /// A `WRONGTYPE` error reply: a key of the run holds another Redis type than the engine writes.
    static func isWrongType(_ error: RedisError) -> Bool {
        error.kind == .server && error.message.contains("WRONGTYPE")
    }

    /// The refusal for a `WRONGTYPE` reply about `key` (or some key of the run when `nil`).
    static func wrongType(runID: String, key: String?, _ message: String) -> JobRefusal {
        let subject = key.map { "key '\($0)'" } ?? "a key"
        return JobRefusal("run '\(runID.prefix(200))': \(subject) holds the wrong Redis type (\(message))")
    }

    /// Whether `data` is a job a client starting a run sends: a start node of `prepared` in iteration
    /// 0 with no fallback, batch or dynamic-node fields. Only such a job may create a run's bookkeeping.
    static func startsRun(_ data: NodeJobData, in prepared: DistributedBlueprint) -> Bool {
        guard data.iteration == 0, data.fallbackFor == nil, data.batchOf == nil, data.dynamicOf == nil,
            let n = prepared.compiled.nodeIndex[data.nodeID]
        else { return false }
        return prepared.compiled.startNodes.contains(n)
    }
}

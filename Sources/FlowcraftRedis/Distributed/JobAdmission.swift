import Flowcraft

/// The first round trip of every node job: the run's blueprint version and the state fields the job
/// needs (`HMGET`), and whether its entry is pending (`SISMEMBER`). A pending entry means the run is
/// live and the completion not committed yet — the common case, decided without another read (the
/// pending set is deleted when a run ends). Otherwise a second round trip reads the run status and
/// the done set, to skip jobs of ended runs and redelivered jobs whose completion already committed.
///
/// A version of the run's blueprint this worker does not have, or a graph other than the one the
/// job's fingerprint names, is a ``MissingBlueprint``: the job is handed to another worker
/// (``BlueprintHandOff``). Refusals (``JobRefusal``): a run key of the wrong Redis type ends the run; a job for a run that does not exist is admitted only if
/// it is one that starts a run (``JobRefusal/startsRun(_:in:)``), else only the job fails and
/// nothing is written.
struct JobAdmission: Sendable {
    /// The run's blueprint, by the version its state records.
    let prepared: DistributedBlueprint
    let version: String?
    /// The requested fields' values, in order (`nil`: absent).
    let values: [JSONValue?]
    /// False for the first job of a run started by a client that only enqueues start jobs (its
    /// bookkeeping is created by the commit).
    let runExists: Bool

    enum Outcome {
        case run(JobAdmission)
        /// Do not run the job; the summary becomes its return value.
        case skip(JSONValue)
    }

    static func read(
        _ data: NodeJobData, fields: [String], client: RedisClient, catalog: BlueprintCatalog
    ) async throws -> Outcome {
        let keys = DistributedKeys(runID: data.runID)
        let instance = data.instance.description
        let stateRead = HMGET(key: keys.state, fields: ["blueprintVersion"] + fields)
        let pendingRead = SISMEMBER(key: keys.pending, member: instance)
        let (stateReply, pendingReply) = try await client.execute(stateRead, pendingRead)
        let replyValues = try checked(stateReply, key: keys.state, runID: data.runID)
        var runExists = true
        if try !checked(pendingReply, key: keys.pending, runID: data.runID) {
            let (statusReply, doneReply) = try await client.execute(
                RunHash.get(.status, runKey: keys.run), SISMEMBER(key: keys.done, member: instance))
            let statusText = try checked(statusReply, key: keys.run, runID: data.runID)
            let done = try checked(doneReply, key: keys.done, runID: data.runID)
            if let status = RunHash.status(statusText), status.hasEnded {
                return .skip(["skipped": .string("run \(status.rawValue)")])
            }
            if done { return .skip(["skipped": "already committed"]) }
            runExists = statusText != nil
        }
        let version = replyValues.first.flatMap { $0 }.map(StateValueCoding.decode).flatMap(NodeJobExecutor.versionText)
        var prepared: DistributedBlueprint
        do {
            prepared = try catalog.prepared(id: data.blueprintID, version: version)
        } catch {
            throw MissingBlueprint(
                id: data.blueprintID, version: version, fingerprint: data.blueprintFingerprint,
                reason: catalog.versionProblem(id: data.blueprintID, version: version) ?? error.description)
        }
        // A job that names its graph runs with exactly that graph (its fingerprint includes the label).
        if let fingerprint = data.blueprintFingerprint, prepared.fingerprint != fingerprint {
            guard let named = catalog.prepared(fingerprint: fingerprint), named.compiled.id == data.blueprintID,
                named.compiled.blueprint.effectiveVersion == version
            else {
                throw MissingBlueprint(
                    id: data.blueprintID, version: version, fingerprint: fingerprint,
                    reason: "blueprint '\(data.blueprintID)' version \(version.map { "'\($0)'" } ?? "unversioned") on this worker "
                        + "has another graph (fingerprint \(prepared.fingerprint.prefix(12))) than the run's (\(fingerprint.prefix(12)))")
            }
            prepared = named
        }
        // (Batch workers and dynamic nodes are not nodes of the blueprint: their own paths check them.)
        if data.batchOf == nil, data.dynamicOf == nil, prepared.compiled.nodeIndex[data.nodeID] == nil {
            throw JobRefusal("blueprint '\(data.blueprintID)' has no node '\(data.nodeID)'")
        }
        // A child run (its id has a '/') is created by its parent's subflow node before its first job
        // (found by review: a client's job for "<run>/<node>#0" created it first, and the parent's
        // subflow node later adopted that unrelated run's result).
        if !runExists, data.runID.utf8.contains(UInt8(ascii: "/")) {
            throw JobRefusal(
                "run '\(data.runID.prefix(200))' does not exist and its id names a subflow child run ('/'), which only "
                    + "its parent's subflow node starts; nothing was written",
                endsRun: false)
        }
        if !runExists, !JobRefusal.startsRun(data, in: prepared) {
            throw JobRefusal(
                "run '\(data.runID.prefix(200))' does not exist and this job (node '\(data.nodeID)', iteration "
                    + "\(data.iteration)) cannot start it: only a start node's job in iteration 0 without fallback, batch "
                    + "or dynamic-node fields starts a run; nothing was written",
                endsRun: false)
        }
        let values = fields.indices.map { i in i + 1 < replyValues.count ? replyValues[i + 1].map(StateValueCoding.decode) : nil }
        return .run(
            JobAdmission(prepared: prepared, version: version, values: values, runExists: runExists))
    }

    /// A read's value; its error reply thrown as a ``JobRefusal`` for a `key` of the wrong type.
    private static func checked<Value>(_ read: Result<Value, RedisError>, key: String, runID: String) throws -> Value {
        switch read {
        case .success(let value):
            return value
        case .failure(let failure):
            let error = failure.kind == .server ? RedisError.server(failure.message, command: "read") : failure
            if JobRefusal.isWrongType(error) { throw JobRefusal.wrongType(runID: runID, key: key, error.message) }
            throw error
        }
    }
}

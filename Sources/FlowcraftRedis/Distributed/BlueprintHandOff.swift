import Flowcraft

/// A job whose run needs a blueprint this worker does not have: an unknown blueprint id, a version
/// label it lacks, or (``NodeJobData/blueprintFingerprint``) a graph whose content differs from this
/// worker's blueprint of that label. The job is never run with another graph: it is handed back to
/// the queue for a worker that has the blueprint (``BlueprintHandOff``).
struct MissingBlueprint: Error, Sendable, CustomStringConvertible {
    let id: String
    /// The run's version label, when it was read (`nil`: unversioned or not read yet).
    let version: String?
    let fingerprint: String?
    /// What this worker lacks, naming what it has.
    let reason: String

    var description: String { reason }

    /// Whether a worker advertising `blueprint` can run the job.
    func isSatisfied(by blueprint: BlueprintAdvertisement) -> Bool {
        guard blueprint.id == id else { return false }
        if let fingerprint { return blueprint.fingerprint == fingerprint }
        guard let version else { return true }
        return blueprint.version == version
    }

    /// The blueprint, for messages.
    var label: String {
        "blueprint '\(id)'" + (version.map { " version '\($0)'" } ?? "") + (fingerprint.map { " (fingerprint \($0.prefix(12)))" } ?? "")
    }
}

/// What a worker does with a job whose blueprint it lacks (a rolling deploy: two worker versions on
/// one queue). When another live worker advertises the blueprint (``WorkerDirectory``), the job is
/// handed back (``JobHandBack``: delayed ``RollingDeployOptions/handBackDelay`` plus jitter, no
/// attempt counted). When none does, the first worker to notice stamps the run
/// (`flowcraft:handback:<runId>`, `SET NX`) and the job is handed back until
/// ``RollingDeployOptions/missingBlueprintTimeout`` passed since the stamp; then the run fails,
/// naming the blueprint. The stamp is cleared whenever a live worker has the blueprint, so the
/// timeout counts only time during which nobody could run the job. None of this is on the path of a
/// job whose blueprint the worker has.
struct BlueprintHandOff: Sendable {
    let client: RedisClient
    let options: DistributedOptions

    static func stampKey(runID: String) -> String { "flowcraft:handback:\(runID)" }

    enum Decision: Equatable {
        /// Hand the job back after this many milliseconds.
        case handBack(delayMilliseconds: Int, reason: String)
        /// Nobody had the blueprint for the whole timeout: fail the run with this reason.
        case failRun(String)
    }

    func decide(_ missing: MissingBlueprint, runID: String) async throws -> Decision {
        let deploy = options.rollingDeploy
        let directory = WorkerDirectory(client: client, queueName: options.queueName)
        let live = try await directory.live()
        let stamp = Self.stampKey(runID: runID)
        let base = deploy.handBackDelayMilliseconds
        let delay = base + Int.random(in: 0...max(0, base / 2))
        if let holder = live.first(where: { $0.value.blueprints.contains(where: missing.isSatisfied) })?.key {
            _ = try await client.execute(DEL(stamp))
            return .handBack(
                delayMilliseconds: delay,
                reason: "\(missing.reason); handed back for a worker that has it (e.g. '\(holder)')")
        }
        let now = QueueClock.nowMilliseconds()
        let timeout = deploy.missingBlueprintTimeoutMilliseconds
        let lifetime = max(60_000, timeout * 2)
        let previous = try await client.execute(
            SET(key: stamp, value: String(now), onlyIfNotExists: true, returnPrevious: true, expiry: .milliseconds(lifetime)))
        let since = previous.flatMap(Int.init) ?? now
        let waited = now - since
        if waited < timeout {
            return .handBack(
                delayMilliseconds: min(delay, max(1, timeout - waited)),
                reason: "\(missing.reason); no live worker has it yet (waiting up to \(Self.seconds(timeout)))")
        }
        _ = try await client.execute(DEL(stamp))
        return .failRun(
            "no live worker of queue '\(options.queueName)' has \(missing.label) (waited \(Self.seconds(waited)), "
                + "the limit is \(Self.seconds(timeout))): \(missing.reason)")
    }

    /// `1.5s` for 1500 ms.
    static func seconds(_ milliseconds: Int) -> String { "\(milliseconds / 1000).\(milliseconds % 1000 / 100)s" }
}

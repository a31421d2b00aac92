import Flowcraft

/// Cancels a distributed run and the child runs of its pending `subflow` nodes, depth first after
/// their parent (so a child's notification finds its parent already ended and changes nothing).
///
/// A child is cancelled only if it exists; children of a blueprint missing from the catalog cannot
/// be found and are left to finish on their own (their parent ignores them once it has ended).
struct RunCanceller: Sendable {
    let client: RedisClient
    let catalog: BlueprintCatalog
    let committer: RunCommitter

    /// Cancels `runID` (when `onlyIfExists`, only a run whose bookkeeping exists), then its children.
    /// Returns the script's outcome, `nil` when the run did not exist and was left alone.
    @discardableResult
    func cancel(_ runID: String, reason: String, onlyIfExists: Bool = false) async throws -> RunCommitter.Outcome? {
        let keys = DistributedKeys(runID: runID)
        let (runReply, pendingReply) = try await client.execute(RunHash.read(runKey: keys.run), SMEMBERS(key: keys.pending))
        let run = try runReply.get(as: "cancel")
        let pending = try pendingReply.get(as: "cancel")
        let blueprintID = run.blueprintID ?? ""
        let version = run.blueprintVersion
        if onlyIfExists, !run.exists { return nil }
        let outcome = try await committer.commit(
            runID: runID, blueprintID: blueprintID, version: version, RunCommitter.Change(mode: .cancel, reason: reason))
        if let plan = try? catalog.blueprint(id: blueprintID, version: version) {
            try await cancelChildren(of: runID, plan: plan, pending: pending, reason: reason)
        }
        return outcome
    }

    /// Cancels the existing child runs of the `subflow` nodes among `pending` (`node#iteration`
    /// entries of run `runID`).
    func cancelChildren(of runID: String, plan: CompiledBlueprint, pending: [String], reason: String) async throws {
        for entry in pending.compactMap(NodeInstance.init(member:)).sorted(by: { $0.description < $1.description }) {
            guard let n = plan.nodeIndex[entry.nodeID], plan.builtins[n] == .subflow else { continue }
            let child = SubflowParentLink.childRunID(parent: runID, node: entry)
            try await cancel(child, reason: reason, onlyIfExists: true)
        }
    }

    /// Whether `plan` has any `subflow` node (only such runs can have children).
    static func hasSubflows(_ plan: CompiledBlueprint) -> Bool {
        plan.builtins.contains { $0 == .subflow }
    }
}

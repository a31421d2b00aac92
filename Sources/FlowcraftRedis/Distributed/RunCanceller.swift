import Flowcraft

/// Cancels a distributed run and the child runs of its pending `subflow` nodes, depth first after
/// their parent (so a child's notification finds its parent already ended and changes nothing).
///
/// A child is cancelled only if it exists and links back to its parent. For a blueprint missing from
/// the catalog every pending entry is looked at as a possible `subflow` node (its child run, if any,
/// is named by ``SubflowRunID``): found by review, `flowcraft cancel` without `--blueprints` left the
/// children running.
struct RunCanceller: Sendable {
    let client: RedisClient
    let catalog: BlueprintCatalog
    let committer: RunCommitter

    /// Cancels `runID`, then its children. Returns the script's outcome.
    @discardableResult
    func cancel(_ runID: String, reason: String) async throws -> RunCommitter.Outcome? {
        try await cancel(runID, reason: reason, asChild: false)
    }

    /// Cancels `runID` and its children; `asChild`: only a run whose bookkeeping exists (`nil` when it
    /// does not), and only while its parent has ended (``NodeCompletionScript/Call/Mode/cancelChild``).
    @discardableResult
    private func cancel(_ runID: String, reason: String, asChild: Bool) async throws -> RunCommitter.Outcome? {
        let keys = DistributedKeys(runID: runID)
        let (runReply, pendingReply) = try await client.execute(RunHash.read(runKey: keys.run), SMEMBERS(key: keys.pending))
        let run = try runReply.get(as: "cancel")
        let pending = try pendingReply.get(as: "cancel")
        let blueprintID = run.blueprintID ?? ""
        let version = run.blueprintVersion
        if asChild, !run.exists { return nil }
        let outcome = try await committer.commit(
            runID: runID, blueprintID: blueprintID, version: version,
            RunCommitter.Change(mode: asChild ? .cancelChild : .cancel, reason: reason))
        // A stale cascade (the parent runs again, or a redrive deleted the child since it was read)
        // leaves the child, and so its own children, alone.
        if outcome.commit == .parentRunning || outcome.commit == .gone { return outcome }
        if let plan = try? catalog.blueprint(id: blueprintID, version: version) {
            try await cancelChildren(of: runID, plan: plan, pending: pending, reason: reason)
        } else {
            try await cancelChildren(of: runID, plan: nil, pending: pending, reason: reason)
        }
        return outcome
    }

    /// Cancels the existing child runs of the `subflow` nodes among `pending` (`node#iteration`
    /// entries of run `runID`), because `runID` ended. A child whose parent runs again by the time
    /// its cancel is committed (a redrive of the parent started it anew) is left alone: the parent's
    /// end that this cascade follows is over.
    /// `plan` nil: the blueprint is not known here, so every pending entry may be a `subflow` node (the
    /// child run is cancelled only if it exists, as a child of `runID`).
    func cancelChildren(of runID: String, plan: CompiledBlueprint?, pending: [String], reason: String) async throws {
        for entry in pending.compactMap(NodeInstance.init(member:)).sorted(by: { $0.description < $1.description }) {
            if let plan {
                guard let n = plan.nodeIndex[entry.nodeID], plan.builtins[n] == .subflow else { continue }
            }
            let child = SubflowParentLink.childRunID(parent: runID, node: entry)
            try await cancel(child, reason: reason, asChild: true)
        }
    }

    /// Whether `plan` has any `subflow` node (only such runs can have children).
    static func hasSubflows(_ plan: CompiledBlueprint) -> Bool {
        plan.builtins.contains { $0 == .subflow }
    }
}

import Flowcraft

/// The child runs of subflow nodes when their parent run ends: a parent that fails or is cancelled
/// cancels them.
extension NodeJobExecutor {
    /// Ends the run as cancelled (a subflow's child was cancelled), with its other children.
    func cancelRun(_ run: RunContext, reason: String) async throws -> JSONValue {
        let pending = try await pendingSubflowEntries(run)
        let outcome = try await commit(run, RunCommitter.Change(mode: .cancel, reason: reason))
        if outcome.commit == .committed { await cancelChildren(run, entries: pending, reason: reason) }
        return summary(run.data, outcome)
    }

    /// Cancels the children of the subflow nodes among `entries` of an ended run. Best effort: the
    /// run's end is already committed, and a child left running only finds its parent ended.
    func cancelChildren(_ run: RunContext, entries: [String], reason: String) async {
        guard !entries.isEmpty else { return }
        do {
            try await canceller.cancelChildren(of: run.data.runID, plan: run.prepared.compiled, pending: entries, reason: reason)
        } catch {
            options.logger.warning(
                "could not cancel the child runs of an ended run",
                metadata: ["runId": "\(run.data.runID)", "error": "\(error)"])
        }
    }

    /// The run's pending entries when its blueprint has subflow nodes (whose children must end with
    /// it); read before the run ends, since ending it deletes them. Empty otherwise, without a read.
    func pendingSubflowEntries(_ run: RunContext) async throws -> [String] {
        guard RunCanceller.hasSubflows(run.prepared.compiled) else { return [] }
        let reply = try await client.send(RedisCommand(["SMEMBERS", DistributedKeys(runID: run.data.runID).pending]))
        return (reply.array ?? []).compactMap(\.string)
    }
}

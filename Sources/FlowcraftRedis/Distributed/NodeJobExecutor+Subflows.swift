import Flowcraft

/// Subflow nodes (``SubflowStep``) and the child runs of subflow nodes when their parent run ends:
/// a parent that fails or is cancelled cancels them.
extension NodeJobExecutor {
    /// A subflow node's job: looks at its child (``SubflowStep``) and starts it, parks the node, or
    /// completes, fails or cancels as the child ended.
    func advanceSubflow(
        _ run: RunContext, node: NodeDefinition, index n: Int, blueprintID: String, mapping: SubflowMapping
    ) async throws -> ProcessedJob {
        let data = run.data
        let instance = data.instance.description
        let step = SubflowStep(catalog: catalog, client: client, options: options, committer: committer)
        switch try await step.advance(
            node: node, blueprintID: blueprintID, mapping: mapping, data: data, input: run.input, state: run.state)
        {
        case .started(let childID):
            // The parent may have ended while the child started: the child must not outlive it.
            let runKey = DistributedKeys(runID: data.runID).run
            if let status = RunHash.status(try await client.execute(RunHash.get(.status, runKey: runKey))), status.hasEnded {
                await cancelChildren(run, entries: [instance], reason: "parent run '\(data.runID)' \(status.rawValue)")
            }
            return .value(["nodeId": .string(data.nodeID), "subflow": .string(childID), "child": "started"])
        case .running(let childID):
            // A node parked while its child was paused, and not taken out when the child was
            // resumed (a crossed resume), is taken out now: the node's state follows its child.
            _ = try await SubflowResumeScript.resume(
                runID: data.runID, node: data.instance, ifChildNotAwaiting: childID, client: client, options: options)
            return .value(["nodeId": .string(data.nodeID), "subflow": .string(childID), "child": "running"])
        case .awaiting(let childID):
            let outcome = try await commit(run, RunCommitter.Change(mode: .await, instance: instance))
            if outcome.commit == .committed {
                // The child may have been resumed since it was read: then the node must not stay
                // parked (the resume's own step may have run before this commit).
                _ = try await SubflowResumeScript.resume(
                    runID: data.runID, node: data.instance, ifChildNotAwaiting: childID, client: client, options: options)
            }
            return .value(summary(data, outcome))
        case .completed(let result):
            return try await complete(run, result: result)
        case .failed(let message, let fatal):
            return .value(try await handleFailure(run, index: n, message: message, attempts: 1, fatal: fatal, reported: false))
        case .cancelled(let reason):
            return .value(try await cancelRun(run, reason: reason))
        }
    }

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
        return try await client.execute(SMEMBERS(key: DistributedKeys(runID: run.data.runID).pending))
    }
}

import Flowcraft

extension WorkflowClient {
    /// Redrives a failed run (`RedriveRules`): the node that failed runs again, with the work the
    /// failure left pending (interrupted nodes, paused nodes stay paused); every successful node's
    /// output and the join progress are kept, and the work the failed node blocked runs when it
    /// completes. Returns how many times the run has been redriven.
    ///
    /// One script call (`Lua/redrive-run.lua`) makes the run `running` again, so two concurrent redrives
    /// start it once: the second is refused. The jobs are then enqueued as the reconciler enqueues
    /// lost work (``WorkflowReconciler``: a pending entry whose job is gone or failed gets a new job). A `subflow` node that
    /// runs again (it failed because its child failed, or its child was cancelled with the run) starts
    /// a new child run: the old child's keys (and its own children's) are deleted.
    ///
    /// Throws ``DistributedError`` with cause `.notRedrivable` (the message is the
    /// `RedriveRules.Refusal`) for a run that is not failed (or already redriven), that failed on
    /// routing (`[NO_ROUTE]`, `[STUCK_JOIN]`) or before any node recorded its failure, for the child run
    /// of a subflow node (redrive its parent), and when the
    /// run's blueprint version is not in the catalog or a live worker has another graph under it;
    /// `.unknownRun` for an unknown or expired run.
    @discardableResult
    public func redrive(_ runID: String) async throws -> Int {
        if let problem = RunIdentifier.problem(with: runID) { throw DistributedError("invalid run id: \(problem)", cause: .invalidRunID) }
        let runID = try storedRunID(runID)
        let keys = DistributedKeys(runID: runID)
        let replies = try await client.pipeline([
            RunHash.get([.status, .blueprintID, .blueprintVersion, .failedEntry, .parent], runKey: keys.run).encoded,
            GET(key: keys.status).encoded,
            SMEMBERS(key: keys.parkedPending).encoded,
            SMEMBERS(key: keys.parkedAwaiting).encoded,
        ])
        for reply in replies {
            if let message = reply.errorMessage { throw RedisError.server(message, command: "redrive \(runID)") }
        }
        let fields = replies[0].array ?? []
        func field(_ i: Int) -> String? { i < fields.count ? fields[i].string : nil }
        let final = replies[1].string.flatMap(DistributedRunStatus.init(json:))
        let status = field(0) ?? final?.status.rawValue
        let blueprintID = field(1) ?? ""
        let version = field(2).flatMap { $0.isEmpty ? nil : $0 }
        let failedEntry = field(3).flatMap(NodeInstance.init(member:))
        let prepared = status == "failed" ? try? catalog.prepared(id: blueprintID, version: version) : nil
        if let refusal = RedriveRules.refusal(
            runID: runID, blueprintID: blueprintID, status: status, startedVersion: version,
            currentVersion: prepared.map { .some($0.compiled.blueprint.effectiveVersion) } ?? .none,
            failure: final?.reason, rerunCount: failedEntry == nil ? 0 : 1)
        {
            if case .unknownRun = refusal { throw DistributedError(refusal.description, cause: .unknownRun) }
            throw DistributedError(refusal.description, cause: .notRedrivable)
        }
        if let link = field(4).flatMap(SubflowParentLink.init(json:)) {
            throw DistributedError(
                RedriveRules.Refusal.childRun(runID: runID, parentRunID: link.runID).description, cause: .notRedrivable)
        }
        guard let prepared, let failedEntry else {
            throw DistributedError(RedriveRules.Refusal.nothingToRerun(runID: runID).description, cause: .notRedrivable)
        }
        // A client whose graph differs from a live worker's under the same label is refused, as a start.
        try await refuseConflictingGraph(prepared, version: version)

        // Subflow nodes that run again start new children: the old ones (cancelled or failed) go.
        let parked = (replies[2].array ?? []).compactMap(\.string).compactMap(NodeInstance.init(member:))
        let parkedAwaiting = Set((replies[3].array ?? []).compactMap(\.string))
        let plan = prepared.compiled
        let subflowEntries = ([failedEntry] + parked).filter { entry in
            plan.nodeIndex[entry.nodeID].map { plan.builtins[$0] == .subflow } ?? false
        }
        var cleared: [String] = []
        var clearedJobs: [String] = []
        for entry in subflowEntries {
            for (child, entries) in try await runTree(SubflowParentLink.childRunID(parent: runID, node: entry), depth: 1) {
                cleared.append(child)
                clearedJobs += entries.map { Self.jobID(runID: child, entry: $0) }
            }
        }
        // The nodes that run again: the failed one, then those its failure interrupted (parked pending).
        let redrivenNodes = RedriveRules.rerunNodeIDs(failed: failedEntry.displayNodeID, others: parked.map(\.displayNodeID))
        let now = QueueClock.nowMilliseconds()
        let reply = try await client.evalScript(
            RunRedriveScript.script,
            RunRedriveScript.Call(
                runKeys: keys, queueName: committer.queueName(forRun: runID), expectedVersion: version, now: now,
                unparked: subflowEntries.filter { parkedAwaiting.contains($0.description) }, clearedRuns: cleared,
                clearedJobs: clearedJobs, queueKeys: committer.queueKeys(forRun: runID), redrivenNodes: redrivenNodes))
        switch RunRedriveScript.Outcome(reply: reply) {
        case .redriven(let count, _):
            // (The run hash's `redriveCount` is bumped by the script; its history event is recorded there.)
            EventEmitter(handler: options.eventHandler, runID: runID, blueprintID: blueprintID)?
                .emit(.workflowResume, ["redrive": .int(count), "nodes": .array(redrivenNodes.map { .string($0) })])
            // New jobs for the pending entries (the failed node's, and those the failure interrupted),
            // even while their old jobs are still active: the failed node's job may not have left the
            // active list yet when the client saw the run fail, and an interrupted node's job taken
            // while the run was failed ends without committing (its node stopped or skipped), possibly
            // only after this pass; either entry would then wait forever.
            _ = try await WorkflowReconciler(client: client, catalog: catalog, options: options)
                .reconcile(runID, now: now, rerun: Set(parked + [failedEntry]))
            return count
        case .refused(let status):
            throw DistributedError(RedriveRules.Refusal.notFailed(runID: runID, status: status).description, cause: .notRedrivable)
        case .versionChanged(let runVersion):
            throw DistributedError(
                RedriveRules.Refusal.blueprintChanged(
                    runID: runID, blueprintID: blueprintID,
                    detail: "its version changed to \(runVersion.map { "'\($0)'" } ?? "none") while redriving").description,
                cause: .notRedrivable)
        case .nothingToRerun:
            throw DistributedError(RedriveRules.Refusal.nothingToRerun(runID: runID).description, cause: .notRedrivable)
        case .unknown:
            throw DistributedError(RedriveRules.Refusal.unknownRun(runID: runID).description, cause: .unknownRun)
        }
    }

    /// The job id of a run's entry (``NodeJobData/jobID``: a fallback's entry names the failed node).
    static func jobID(runID: String, entry: NodeInstance) -> String {
        var id = JobIDEncoding.component(runID) + "." + JobIDEncoding.component(entry.nodeID) + ".\(entry.iteration)"
        if let parts = NodeJobData.fallbackEntryParts(entry.nodeID) { id += ".fallback-of." + JobIDEncoding.component(parts.failed) }
        return id
    }

    /// `runID` and every run below it through its subflow nodes' entries, each with its entries
    /// (done, pending or parked).
    private func runTree(_ runID: String, depth: Int) async throws -> [(runID: String, entries: [NodeInstance])] {
        let keys = DistributedKeys(runID: runID)
        let replies = try await client.pipeline([
            RunHash.get([.blueprintID, .blueprintVersion], runKey: keys.run).encoded,
            RedisCommand(["SUNION", keys.done, keys.pending, keys.parkedPending]),
        ])
        let fields = replies[0].array ?? []
        let entries = (replies[1].array ?? []).compactMap(\.string).compactMap(NodeInstance.init(member:))
        var tree: [(runID: String, entries: [NodeInstance])] = [(runID, entries)]
        guard depth <= options.maximumSubflowDepth, let blueprintID = fields.first?.string else { return tree }
        let version = fields.count > 1 ? fields[1].string.flatMap { $0.isEmpty ? nil : $0 } : nil
        guard let plan = try? catalog.prepared(id: blueprintID, version: version).compiled else { return tree }
        for entry in entries where plan.nodeIndex[entry.nodeID].map({ plan.builtins[$0] == .subflow }) ?? false {
            tree += try await runTree(SubflowParentLink.childRunID(parent: runID, node: entry), depth: depth + 1)
        }
        return tree
    }
}

extension FlowRuntime {
    /// Redrives a failed run: the nodes that failed, and the nodes the failure interrupted, run
    /// again; every successful node's output, the join progress and the paused nodes are kept, and the
    /// work the failed nodes blocked runs when they complete (``RedriveRules``). A `subflow` node that
    /// failed starts a new child run. Works on a result decoded in another process.
    ///
    /// Throws ``FlowRuntimeError/redriveRefused(_:)`` for a run that is not failed, a run that failed
    /// on routing (`[NO_ROUTE]`, `[STUCK_JOIN]`), and a blueprint that changed since the run started
    /// (another version label or another graph).
    public func redrive(_ run: WorkflowResult) async throws(FlowRuntimeError) -> WorkflowResult {
        let plan = plans[run.blueprintID]
        let state = run.snapshot?.redrive
        let refusal = RedriveRules.refusal(
            runID: run.runID, blueprintID: run.blueprintID, status: run.status.rawValue,
            startedVersion: state?.blueprintVersion ?? plan?.blueprint.effectiveVersion,
            currentVersion: plan.map { .some($0.blueprint.effectiveVersion) } ?? .none,
            startedGraph: state?.graphDigest, currentGraph: plan.map(RedriveRules.graphDigest),
            failure: run.errors.first?.message, rerunCount: state?.items.count ?? 0)
        if let refusal { throw .redriveRefused(refusal) }
        guard let snapshot = run.snapshot, let state else {
            throw .redriveRefused(.nothingToRerun(runID: run.runID))
        }
        let driver = try RunDriver(runtime: self, snapshot: snapshot)
        return await withHistoryRoom(await driver.redrive(state))
    }
}

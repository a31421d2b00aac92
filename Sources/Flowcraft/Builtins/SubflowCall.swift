/// The `subflow` built-in in the in-memory engine: runs blueprint `params.blueprintId` as a child
/// run, its values mapped by ``SubflowMapping`` (the rule the distributed engine applies too). A
/// child that pauses pauses the parent node; resuming the parent resumes the child.
struct SubflowCall: Sendable {
    let runtime: FlowRuntime
    let plan: CompiledBlueprint
    /// The child run's id (``SubflowRunID``: the call's node and loop iteration).
    let childRunID: String
    let params: [String: JSONValue]
    let parentState: InMemoryWorkflowState
    let events: EventEmitter?
    let depth: Int
    /// The subflow node's place in the parent's history: the keys its `outputs` mapping writes are
    /// reported under its token.
    var stamp: ExecutionStamp? = nil

    func execute(_ context: NodeContext) async -> JobOutcome {
        guard depth < runtime.maximumSubflowDepth else {
            return failure(SubflowMapping.tooDeepMessage(limit: runtime.maximumSubflowDepth), nodeID: context.nodeID, fatal: true)
        }
        let mapping = SubflowMapping(params: params)
        let initial = mapping.childContext(
            input: context.input, childStartNodeIDs: plan.startNodes.map { plan.nodes[$0].id },
            parentValue: parentState.value(forKey:))
        let driver = RunDriver(
            runtime: runtime, plan: plan, runID: childRunID, context: initial,
            scheduler: RunScheduler(plan: plan), children: [:], depth: depth + 1,
            parent: (runID: context.runID, nodeID: context.nodeID))
        let result = await driver.start()
        return finish(result, nodeID: context.nodeID)
    }

    /// Turns the child run's result into the subflow node's outcome.
    func finish(_ result: WorkflowResult, nodeID: String) -> JobOutcome {
        switch result.status {
        case .completed:
            let (writes, output) = SubflowMapping(params: params).completion(
                childContext: result.context, terminalNodeIDs: plan.terminalNodes.map { plan.nodes[$0].id })
            for (key, value) in writes {
                parentState.setValue(value, forKey: key)
                events?.contextChange(by: nodeID, key: key, value: value)
                if let stamp { parentState.report(write: key, value, to: stamp.token) }
            }
            return .success(NodeResult(output: output))
        case .awaiting:
            guard let snapshot = result.snapshot else {
                return failure("subflow paused without a snapshot", nodeID: nodeID, fatal: true)
            }
            return .suspendedSubflow(snapshot)
        case .failed:
            let message = SubflowMapping.childFailedMessage(
                blueprintID: plan.id, reason: result.errors.first.map(\.description))
            return failure(message, nodeID: nodeID, fatal: false)
        case .cancelled:
            return .cancelled
        }
    }

    /// The call's failure, reported as `node:error` (no attempt loop reports it).
    private func failure(_ message: String, nodeID: String, fatal: Bool) -> JobOutcome {
        events?.emit(.nodeError, nodeID: nodeID, NodeAttemptLoop.errorPayload(message: message, attempt: 1, willRetry: false))
        return .failure(message: message, attempts: 1, fatal: fatal)
    }
}

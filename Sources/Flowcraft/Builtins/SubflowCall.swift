/// The `subflow` built-in: runs blueprint `params.blueprintId` as a child run.
///
/// `params.inputs` maps child context keys to parent keys (`{childKey: parentKey}`; a parent key is
/// read raw, then as `_outputs.<key>`); without it the node's input becomes the input of the child's
/// start nodes. `params.outputs` maps parent keys to child keys (`{parentKey: childKey}`; the child
/// key is read as `_outputs.<key>`, then raw) and the node's output is the child's final context;
/// without it the output is the single terminal node's output, or an object of every terminal's.
/// A child that pauses pauses the parent node; resuming the parent resumes the child.
struct SubflowCall: Sendable {
    let runtime: FlowRuntime
    let plan: CompiledBlueprint
    let params: [String: JSONValue]
    let parentState: InMemoryWorkflowState
    let events: EventEmitter?
    let depth: Int
    /// The subflow node's history probe: the parent keys its `outputs` mapping writes.
    var probe: NodeHistoryProbe? = nil

    func execute(_ context: NodeContext) async -> JobOutcome {
        guard depth < runtime.maximumSubflowDepth else {
            return .failure(
                message: "subflows nest deeper than \(runtime.maximumSubflowDepth) levels", attempts: 1, fatal: true)
        }
        var initial: [String: JSONValue] = [:]
        if case .object(let mapping)? = params["inputs"] {
            for (childKey, source) in mapping {
                guard case .string(let parentKey) = source else { continue }
                initial[childKey] =
                    parentState.value(forKey: parentKey) ?? parentState.value(forKey: "_outputs." + parentKey) ?? .null
            }
        } else if context.input != .null {
            for start in plan.startNodes { initial["_inputs." + plan.nodes[start].id] = context.input }
        }
        let driver = RunDriver(
            runtime: runtime, plan: plan, runID: context.runID + "/" + context.nodeID, context: initial,
            scheduler: RunScheduler(plan: plan), children: [:], depth: depth + 1,
            parent: (runID: context.runID, nodeID: context.nodeID))
        let result = await driver.start()
        return finish(result, nodeID: context.nodeID)
    }

    /// Turns the child run's result into the subflow node's outcome.
    func finish(_ result: WorkflowResult, nodeID: String) -> JobOutcome {
        switch result.status {
        case .completed:
            if case .object(let mapping)? = params["outputs"] {
                for (parentKey, source) in mapping.sorted(by: { $0.key < $1.key }) {
                    guard case .string(let childKey) = source else { continue }
                    let value = result.context["_outputs." + childKey] ?? result.context[childKey] ?? .null
                    parentState.setValue(value, forKey: parentKey)
                    events?.contextChange(by: nodeID, key: parentKey, value: value)
                    probe?.wrote(parentKey, value)
                }
                return .success(NodeResult(output: .object(result.context)))
            }
            let terminals = plan.terminalNodes.map { plan.nodes[$0].id }
            if terminals.count == 1 {
                return .success(NodeResult(output: result.context["_outputs." + terminals[0]] ?? .null))
            }
            var outputs: [String: JSONValue] = [:]
            for id in terminals { outputs[id] = result.context["_outputs." + id] ?? .null }
            return .success(NodeResult(output: .object(outputs)))
        case .awaiting:
            guard let snapshot = result.snapshot else {
                return .failure(message: "subflow paused without a snapshot", attempts: 1, fatal: true)
            }
            return .suspendedSubflow(snapshot)
        case .failed:
            let reason = result.errors.first.map(\.description) ?? "unknown error"
            return .failure(message: "subflow '\(plan.id)' failed: \(reason)", attempts: 1, fatal: false)
        case .cancelled:
            return .cancelled
        }
    }
}

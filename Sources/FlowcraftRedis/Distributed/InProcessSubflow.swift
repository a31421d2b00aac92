import Flowcraft

/// The `subflow` built-in in the distributed engine, as an interim: the job runs the child blueprint
/// to its end in this process with the in-memory ``FlowRuntime`` (same node registry), with the same
/// input and output mapping as the in-memory engine. A child that pauses (`wait`, or a `sleep` it
/// cannot finish in time) fails the parent node: a paused child cannot survive across processes yet.
struct InProcessSubflow: Sendable {
    let catalog: BlueprintCatalog
    let registry: NodeRegistry
    let options: DistributedOptions

    func run(
        node: NodeDefinition, input: JSONValue, runID: String, state: RedisWorkflowState
    ) async throws -> BuiltinOutcome {
        guard case .string(let blueprintID)? = node.params["blueprintId"],
            let child = try? catalog.blueprint(id: blueprintID, version: nil)
        else {
            let name = node.params["blueprintId"]?.stringValue ?? "(missing)"
            return .failure(message: "subflow blueprint '\(name)' is not loaded", attempts: 1, fatal: true)
        }
        var initial: [String: JSONValue] = [:]
        if case .object(let mapping)? = node.params["inputs"] {
            let parentKeys = mapping.values.compactMap(\.stringValue)
            let values = parentKeys.isEmpty ? [:] : try await state.get(parentKeys + parentKeys.map { "_outputs." + $0 })
            for (childKey, source) in mapping {
                guard case .string(let parentKey) = source else { continue }
                initial[childKey] = values[parentKey] ?? values["_outputs." + parentKey] ?? .null
            }
        } else if input != .null {
            for start in child.startNodes { initial["_inputs." + child.nodes[start].id] = input }
        }
        let plans = catalog.ids.compactMap { try? catalog.blueprint(id: $0, version: nil) }
        let runtime = FlowRuntime(
            plans: plans, registry: registry, dependencies: options.dependencies, logger: options.logger,
            middleware: options.middleware)
        let result: WorkflowResult
        do {
            result = try await runtime.run(blueprintID, context: initial, runID: runID + "/" + node.id)
        } catch {
            return .failure(message: "subflow '\(blueprintID)': \(error)", attempts: 1, fatal: true)
        }
        switch result.status {
        case .completed:
            if case .object(let mapping)? = node.params["outputs"] {
                for (parentKey, source) in mapping.sorted(by: { $0.key < $1.key }) {
                    guard case .string(let childKey) = source else { continue }
                    try await state.set(parentKey, result.context["_outputs." + childKey] ?? result.context[childKey] ?? .null)
                }
                return .success(NodeResult(output: .object(result.context)))
            }
            let terminals = child.terminalNodes.map { child.nodes[$0].id }
            if terminals.count == 1 {
                return .success(NodeResult(output: result.context["_outputs." + terminals[0]] ?? .null))
            }
            var outputs: [String: JSONValue] = [:]
            for id in terminals { outputs[id] = result.context["_outputs." + id] ?? .null }
            return .success(NodeResult(output: .object(outputs)))
        case .awaiting:
            return .failure(
                message: "subflow '\(blueprintID)' paused; a paused subflow is not supported by the distributed engine yet",
                attempts: 1, fatal: true)
        case .failed:
            let reason = result.errors.first.map(\.description) ?? "unknown error"
            return .failure(message: "subflow '\(blueprintID)' failed: \(reason)", attempts: 1, fatal: false)
        case .cancelled:
            throw CancellationError()
        }
    }
}

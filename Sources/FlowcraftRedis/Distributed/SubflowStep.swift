import Flowcraft

/// The `subflow` built-in in the distributed engine: the child blueprint runs as a distributed run
/// of its own (``SubflowParentLink/childRunID(parent:node:)``) whose nodes are ordinary
/// `executeNode` jobs on the same queue, so any worker runs them.
///
/// The subflow node's job never waits for the child: it looks at the child and returns. A missing
/// child is started (with the node's input mapping); a running one needs nothing; when the child
/// ends or pauses, its completion script adds another job for this node, which finds the child
/// `awaiting` (the node parks as awaiting, so the parent reports `awaiting`), `completed` (the
/// node completes with the output mapping, exactly as in the in-memory engine), `failed` (the node
/// fails; its fallback takes over) or `cancelled` (the parent is cancelled, as in memory). A
/// redelivered or re-enqueued job only checks the child again.
struct SubflowStep: Sendable {
    /// What the subflow node's job does next.
    enum Outcome: Sendable {
        /// The child was started now, or runs: nothing to commit.
        case started(childRunID: String)
        case running(childRunID: String)
        /// The child is paused: the node parks as awaiting.
        case awaiting(childRunID: String)
        /// The child completed: the node completes with this result (mapped outputs already set on
        /// the parent's buffered state).
        case completed(NodeResult)
        /// The node fails (`fatal`: no fallback).
        case failed(message: String, fatal: Bool)
        /// The child was cancelled: so is the parent.
        case cancelled(reason: String)
    }

    let catalog: BlueprintCatalog
    let client: RedisClient
    let options: DistributedOptions
    let committer: RunCommitter

    /// Looks at the child of subflow `node` of the job's run and decides what the job does.
    func advance(
        node: NodeDefinition, data: NodeJobData, input: JSONValue, state: RedisWorkflowState
    ) async throws -> Outcome {
        guard case .string(let blueprintID)? = node.params["blueprintId"],
            let child = try? catalog.prepared(id: blueprintID, version: nil)
        else {
            let name = node.params["blueprintId"]?.stringValue ?? "(missing)"
            return .failed(message: "subflow blueprint '\(name)' is not loaded", fatal: true)
        }
        let childID = SubflowParentLink.childRunID(parent: data.runID, node: data.instance)
        guard childID.utf8.count <= NodeJobData.maximumRunIDLength else {
            return .failed(
                message: "subflows nest too deep: child run id '\(childID.prefix(60))…' exceeds \(NodeJobData.maximumRunIDLength) bytes",
                fatal: true)
        }
        let keys = DistributedKeys(runID: childID)
        // A second look only when another job started the child between the read and the start.
        for _ in 0..<2 {
            let replies = try await client.pipeline([
                RedisCommand(["GET", keys.status]), RunHash.get(.status, runKey: keys.run),
                RunHash.get(.parent, runKey: DistributedKeys(runID: data.runID).run),
            ])
            for reply in replies {
                if let message = reply.errorMessage { throw RedisError.server(message, command: "subflow \(childID)") }
            }
            if let text = replies[0].string, let final = DistributedRunStatus(json: text) {
                return try await finished(final, node: node, child: child.compiled, childID: childID, state: state)
            }
            switch replies[1].string {
            case "awaiting"?: return .awaiting(childRunID: childID)
            case "running"?: return .running(childRunID: childID)
            case let other?:
                // Ended, but its final status expired or was removed: the outputs are gone.
                return .failed(message: "subflow run '\(childID)' is \(other) but its result is gone", fatal: true)
            case nil:
                let depth = (replies[2].string.flatMap(SubflowParentLink.init(json:))?.depth ?? 0) + 1
                guard depth <= options.maximumSubflowDepth else {
                    return .failed(message: "subflows nest deeper than \(options.maximumSubflowDepth) levels", fatal: true)
                }
                if try await start(
                    child, childID: childID, depth: depth, node: node, data: data, input: input, state: state)
                {
                    return .started(childRunID: childID)
                }
            }
        }
        return .running(childRunID: childID)
    }

    /// Starts the child with the node's input mapping; false when it already existed.
    private func start(
        _ child: DistributedBlueprint, childID: String, depth: Int, node: NodeDefinition, data: NodeJobData, input: JSONValue,
        state: RedisWorkflowState
    ) async throws -> Bool {
        var initial: [String: JSONValue] = [:]
        if case .object(let mapping)? = node.params["inputs"] {
            let parentKeys = mapping.values.compactMap(\.stringValue)
            let values = parentKeys.isEmpty ? [:] : try await state.get(parentKeys + parentKeys.map { "_outputs." + $0 })
            for (childKey, source) in mapping {
                guard case .string(let parentKey) = source else { continue }
                initial[childKey] = values[parentKey] ?? values["_outputs." + parentKey] ?? .null
            }
        } else if input != .null {
            for start in child.compiled.startNodes { initial["_inputs." + child.compiled.nodes[start].id] = input }
        }
        let version = child.compiled.blueprint.effectiveVersion
        let change = RunCommitter.Change.start(
            child, runID: childID, version: version, context: initial, parent: SubflowParentLink(job: data, depth: depth),
            options: options)
        let outcome = try await committer.commit(runID: childID, blueprintID: child.compiled.id, version: version, change)
        return outcome.commit == .committed
    }

    /// The node's outcome for a child that ended.
    private func finished(
        _ final: DistributedRunStatus, node: NodeDefinition, child: CompiledBlueprint, childID: String,
        state: RedisWorkflowState
    ) async throws -> Outcome {
        switch final.status {
        case .completed:
            let context = final.context
            if case .object(let mapping)? = node.params["outputs"] {
                for (parentKey, source) in mapping.sorted(by: { $0.key < $1.key }) {
                    guard case .string(let childKey) = source else { continue }
                    try await state.set(parentKey, context["_outputs." + childKey] ?? context[childKey] ?? .null)
                }
                return .completed(NodeResult(output: .object(context)))
            }
            let terminals = child.terminalNodes.map { child.nodes[$0].id }
            if terminals.count == 1 {
                return .completed(NodeResult(output: context["_outputs." + terminals[0]] ?? .null))
            }
            var outputs: [String: JSONValue] = [:]
            for id in terminals { outputs[id] = context["_outputs." + id] ?? .null }
            return .completed(NodeResult(output: .object(outputs)))
        case .failed:
            return .failed(message: "subflow '\(child.id)' failed: \(final.reason ?? "unknown error")", fatal: false)
        case .cancelled:
            return .cancelled(reason: "subflow run '\(childID)' was cancelled: \(final.reason ?? "cancelled")")
        case .awaiting:
            return .awaiting(childRunID: childID)
        case .running:
            return .running(childRunID: childID)
        }
    }
}

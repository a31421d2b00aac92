import Flowcraft

/// The `subflow` built-in in the distributed engine: the child blueprint runs as a distributed run
/// of its own (``SubflowParentLink/childRunID(parent:node:)``) whose nodes are ordinary
/// `executeNode` jobs on the same queue, so any worker runs them.
///
/// The subflow node's job never waits for the child: it looks at the child and returns. A missing
/// child is started (with the node's input mapping, ``SubflowMapping``); a running one needs
/// nothing; when the child ends or pauses, its completion script adds another job for this node,
/// which finds the child `awaiting` (the node parks as awaiting, so the parent reports `awaiting`),
/// `completed` (the node completes with the output mapping, ``SubflowMapping`` as in the in-memory
/// engine), `failed` (the node
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
        node: NodeDefinition, blueprintID: String, mapping: SubflowMapping, data: NodeJobData, input: JSONValue,
        state: RedisWorkflowState
    ) async throws -> Outcome {
        guard let child = try? catalog.prepared(id: blueprintID, version: nil) else {
            return .failed(message: SubflowMapping.notLoadedMessage(node.params), fatal: true)
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
                GET(key: keys.status).encoded, RunHash.get(.status, runKey: keys.run).encoded,
                RunHash.get(.parent, runKey: DistributedKeys(runID: data.runID).run).encoded,
                RunHash.get(.parent, runKey: keys.run).encoded,
            ])
            for reply in replies {
                if let message = reply.errorMessage { throw RedisError.server(message, command: "subflow \(childID)") }
            }
            // A run under the child's id that this node did not start (no link back to it) is not
            // its child: its result is not this node's.
            if RunHash.status(replies[1]) != nil {
                let link = replies[3].string.flatMap(SubflowParentLink.init(json:))
                if link?.runID != data.runID || link?.node != data.instance {
                    return .failed(
                        message: "subflow child run id '\(childID)' is taken by a run this node did not start", fatal: true)
                }
            }
            if let text = replies[0].string, let final = DistributedRunStatus(json: text) {
                return try await finished(final, mapping: mapping, child: child.compiled, childID: childID, state: state)
            }
            switch (replies[1].string, RunHash.status(replies[1])) {
            case (_, .awaiting?): return .awaiting(childRunID: childID)
            case (_, .running?): return .running(childRunID: childID)
            case (let other?, _):
                // Ended, but its final status expired or was removed: the outputs are gone.
                return .failed(message: "subflow run '\(childID)' is \(other) but its result is gone", fatal: true)
            case (nil, _):
                let depth = (replies[2].string.flatMap(SubflowParentLink.init(json:))?.depth ?? 0) + 1
                guard depth <= options.maximumSubflowDepth else {
                    return .failed(message: SubflowMapping.tooDeepMessage(limit: options.maximumSubflowDepth), fatal: true)
                }
                if try await start(
                    child, childID: childID, depth: depth, mapping: mapping, data: data, input: input, state: state)
                {
                    return .started(childRunID: childID)
                }
            }
        }
        return .running(childRunID: childID)
    }

    /// Starts the child with the node's input mapping; false when it already existed.
    private func start(
        _ child: DistributedBlueprint, childID: String, depth: Int, mapping: SubflowMapping, data: NodeJobData,
        input: JSONValue, state: RedisWorkflowState
    ) async throws -> Bool {
        let parentKeys = mapping.parentKeysRead
        let values = parentKeys.isEmpty ? [:] : try await state.get(parentKeys)
        let initial = mapping.childContext(
            input: input, childStartNodeIDs: child.compiled.startNodes.map { child.compiled.nodes[$0].id },
            parentValue: { values[$0] })
        let version = child.compiled.blueprint.effectiveVersion
        let change = RunCommitter.Change.start(
            child, runID: childID, version: version, context: initial, parent: SubflowParentLink(job: data, depth: depth),
            options: options)
        let outcome = try await committer.commit(runID: childID, blueprintID: child.compiled.id, version: version, change)
        return outcome.commit == .committed
    }

    /// The node's outcome for a child that ended.
    private func finished(
        _ final: DistributedRunStatus, mapping: SubflowMapping, child: CompiledBlueprint, childID: String,
        state: RedisWorkflowState
    ) async throws -> Outcome {
        switch final.status {
        case .completed:
            let (writes, output) = mapping.completion(
                childContext: final.context, terminalNodeIDs: child.terminalNodes.map { child.nodes[$0].id })
            for (key, value) in writes { try await state.set(key, value) }
            return .completed(NodeResult(output: output))
        case .failed:
            return .failed(message: SubflowMapping.childFailedMessage(blueprintID: child.id, reason: final.reason), fatal: false)
        case .cancelled:
            return .cancelled(reason: "subflow run '\(childID)' was cancelled: \(final.reason ?? "cancelled")")
        case .awaiting:
            return .awaiting(childRunID: childID)
        case .running:
            return .running(childRunID: childID)
        }
    }
}

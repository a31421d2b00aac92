import Flowcraft

/// The dynamic nodes a node returns (`NodeResult.dynamicNodes`) as the distributed engine runs them,
/// with the in-memory engine's semantics: all of them in parallel, before the returning node (the
/// *spawner*) routes; each output lands at `_outputs.<id>`; then the spawner routes with its own
/// action and output.
///
/// - The spawner's commit stores its output, its action and the definitions in the state hash under
///   ``recordKey(spawner:iteration:)`` (so a redelivered or reconciled job can still run) and
///   enqueues one job per dynamic node — all atomically, once.
/// - Each dynamic node commits as the pending entry `<spawner>~dynamic~<id>#<iteration>` (named after
///   its spawner, so two spawners may return the same ids), with its output and its arrival at the
///   *continuation* `<spawner>~dynamic-done#<iteration>`, a join of all the dynamic nodes.
/// - The completion script enqueues the continuation once, when the last dynamic node commits; the
///   continuation job routes from the spawner (exactly once: its entry commits once) and removes the
///   record.
enum DynamicNodes {
    /// More dynamic nodes than this from one node fail the run (one script call enqueues them all).
    static let maximumCount = 5_000
    /// The definitions' total JSON size above which the run fails.
    static let maximumEncodedBytes = 4 << 20
    /// The longest dynamic node id accepted.
    static let maximumIDBytes = 512

    private static let separator = "~dynamic~"
    private static let continuationSuffix = "~dynamic-done"

    /// The pending/done entry name of dynamic node `nodeID` returned by `spawner`.
    static func entry(of nodeID: String, spawnedBy spawner: String) -> String { spawner + separator + nodeID }

    /// The pending/done entry name of the routing of `spawner` after its dynamic nodes.
    static func continuationEntry(of spawner: String) -> String { spawner + continuationSuffix }

    /// The state field holding what `spawner` returned in `iteration` until its continuation commits.
    static func recordKey(spawner: String, iteration: Int) -> String {
        ContextKeys.dynamicRecord(spawner: spawner, iteration: iteration)
    }

    /// A pending entry of a dynamic node or a continuation, found by the reconciler.
    enum Entry: Hashable {
        case node(spawner: String, nodeID: String)
        case continuation(spawner: String)
    }

    /// Reads an entry name; `nil` when it is not a dynamic entry of a node of `plan`.
    static func locate(_ name: String, in plan: CompiledBlueprint) -> Entry? {
        if name.hasSuffix(continuationSuffix) {
            let spawner = String(name.dropLast(continuationSuffix.count))
            if plan.nodeIndex[spawner] != nil { return .continuation(spawner: spawner) }
        }
        guard let range = name.range(of: separator) else { return nil }
        let spawner = String(name[..<range.lowerBound])
        guard plan.nodeIndex[spawner] != nil else { return nil }
        return .node(spawner: spawner, nodeID: String(name[range.upperBound...]))
    }

    /// What a spawner returned, stored in the run until its continuation commits.
    struct Record: Sendable, Hashable {
        var output: JSONValue
        var action: String?
        /// The failed node the spawner ran in place of, when the spawner is a fallback.
        var fallbackFor: String?
        var nodes: [NodeDefinition]

        var json: JSONValue {
            [
                "output": output, "action": action.map(JSONValue.string) ?? .null,
                "fallbackFor": fallbackFor.map(JSONValue.string) ?? .null,
                "nodes": .array(nodes.compactMap { try? JSONValueEncoder().encode($0) }),
            ]
        }

        init(output: JSONValue, action: String?, fallbackFor: String?, nodes: [NodeDefinition]) {
            self.output = output
            self.action = action
            self.fallbackFor = fallbackFor
            self.nodes = nodes
        }

        /// `nil` when the value is not a record.
        init?(json: JSONValue) {
            guard case .object(let members) = json, case .array(let items)? = members["nodes"] else { return nil }
            var nodes: [NodeDefinition] = []
            for item in items {
                guard let node = try? JSONValueDecoder().decode(NodeDefinition.self, from: item) else { return nil }
                nodes.append(node)
            }
            self.init(
                output: members["output"] ?? .null, action: members["action"]?.stringValue,
                fallbackFor: members["fallbackFor"]?.stringValue, nodes: nodes)
        }
    }

    /// Why `nodes` cannot run as the dynamic nodes of a node of `plan`, or `nil`. The checks the
    /// in-memory engine does not need: the ids name pending entries and output keys, so they must be
    /// unique and distinct from the blueprint's nodes, and the list must fit one script call.
    static func problem(with nodes: [NodeDefinition], spawner: String, plan: CompiledBlueprint) -> String? {
        guard !spawner.contains(separator), plan.nodeIndex[continuationEntry(of: spawner)] == nil else {
            return "cannot return dynamic nodes in the distributed engine: its id clashes with the entries they commit as"
        }
        guard nodes.count <= maximumCount else {
            return "returned \(nodes.count) dynamic nodes; at most \(maximumCount) are supported"
        }
        var seen: Set<String> = []
        var bytes = 0
        for node in nodes {
            guard !node.id.isEmpty else { return "returned a dynamic node with an empty id" }
            guard node.id.utf8.count <= maximumIDBytes else {
                return "returned a dynamic node whose id is longer than \(maximumIDBytes) bytes"
            }
            guard !node.id.contains(separator) else { return "returned dynamic node '\(node.id)', whose id contains '\(separator)'" }
            guard plan.nodeIndex[node.id] == nil else {
                return "returned dynamic node '\(node.id)', whose id is already a node of blueprint '\(plan.id)'"
            }
            let name = entry(of: node.id, spawnedBy: spawner)
            guard plan.nodeIndex[name] == nil else {
                return "returned dynamic node '\(node.id)', whose entry '\(name)' is a node of blueprint '\(plan.id)'"
            }
            guard seen.insert(node.id).inserted else { return "returned dynamic node id '\(node.id)' more than once" }
            guard let encoded = try? JSONValueEncoder().encode(node) else {
                return "returned dynamic node '\(node.id)', whose definition cannot be encoded"
            }
            bytes += JSONText.serialize(encoded).utf8.count
            guard bytes <= maximumEncodedBytes else {
                return "returned dynamic nodes whose definitions exceed \(maximumEncodedBytes) bytes"
            }
        }
        return nil
    }

    /// The spawner's commit: its buffered writes and output, the record, and the jobs of its dynamic
    /// nodes in place of its routing.
    static func spawnChange(
        plan: CompiledBlueprint, data: NodeJobData, item: WorkItem, result: NodeResult, state: RedisWorkflowState,
        options: DistributedOptions
    ) -> RunCommitter.Change {
        var change = RunCommitter.Change(mode: .complete, instance: data.instance.description)
        let buffered = state.bufferedChanges()
        change.values = buffered.set
        change.deleted = buffered.deleted
        for key in ContextKeys.outputKeys(of: item, nodeID: data.nodeID, in: plan) { change.values.append((key, result.output)) }
        var failed: String?
        if case .fallback(let m, _) = item { failed = plan.nodes[m].id }
        let record = Record(output: result.output, action: result.action, fallbackFor: failed, nodes: result.dynamicNodes)
        change.values.append((recordKey(spawner: data.nodeID, iteration: data.iteration), record.json))
        for node in result.dynamicNodes {
            let job = nodeJob(node, spawner: data.nodeID, count: result.dynamicNodes.count, data: data)
            change.records.append(ArrivalRecord(
                from: "", target: job.instance, source: "", live: true, required: 1, join: "all", delay: 0,
                jobID: job.jobID, data: JSONText.serialize(job.json),
                options: jobOptions(config: node.config, jobID: job.jobID, options: options)))
        }
        return change
    }

    /// The job data of dynamic node `node` of `spawner` (whose own job data is `data`).
    static func nodeJob(_ node: NodeDefinition, spawner: String, count: Int, data: NodeJobData) -> NodeJobData {
        var job = NodeJobData(
            runID: data.runID, blueprintID: data.blueprintID, nodeID: node.id, iteration: data.iteration,
            fallbackFor: data.fallbackFor)
        job.dynamicOf = spawner
        job.dynamicCount = count
        job.dynamicNode = node
        job.blueprintFingerprint = data.blueprintFingerprint
        return job
    }

    /// The job data of the continuation of `spawner` in `iteration`.
    static func continuationJob(
        runID: String, blueprintID: String, spawner: String, iteration: Int, count: Int, fallbackFor: String?
    ) -> NodeJobData {
        var job = NodeJobData(runID: runID, blueprintID: blueprintID, nodeID: spawner, iteration: iteration, fallbackFor: fallbackFor)
        job.dynamicOf = spawner
        job.dynamicCount = count
        job.afterDynamic = true
        return job
    }

    /// A dynamic node's commit: its buffered writes, its output, and its arrival at the continuation,
    /// which the completion script enqueues when the last dynamic node arrives.
    static func nodeChange(data: NodeJobData, output: JSONValue, state: RedisWorkflowState) -> RunCommitter.Change {
        var change = RunCommitter.Change(mode: .complete, instance: data.instance.description)
        let buffered = state.bufferedChanges()
        change.values = buffered.set
        change.deleted = buffered.deleted
        change.values.append((ContextKeys.output(of: data.nodeID), output))
        change.records.append(continuationArrival(
            from: data.instance.nodeID, spawner: data.dynamicOf ?? data.nodeID, count: data.dynamicCount,
            runID: data.runID, blueprintID: data.blueprintID, iteration: data.iteration, fallbackFor: data.fallbackFor,
            fingerprint: data.blueprintFingerprint))
        return change
    }

    /// The arrival of one of `count` dynamic nodes or batch workers at `spawner`'s continuation: the
    /// completion script enqueues the continuation job when the last of them arrives.
    static func continuationArrival(
        from source: String, spawner: String, count: Int, runID: String, blueprintID: String, iteration: Int,
        fallbackFor: String? = nil, fingerprint: String? = nil
    ) -> ArrivalRecord {
        var continuation = continuationJob(
            runID: runID, blueprintID: blueprintID, spawner: spawner, iteration: iteration, count: count,
            fallbackFor: fallbackFor)
        continuation.blueprintFingerprint = fingerprint
        return ArrivalRecord(
            from: "", target: continuation.instance, source: source, live: true, required: count, join: "all",
            delay: 0, jobID: continuation.jobID, data: JSONText.serialize(continuation.json),
            options: JSONText.serialize(JobOptions(jobId: continuation.jobID).json))
    }

    /// The continuation's commit: the spawner's routing with its stored action and output (edge
    /// conditions and transforms see the context as it is now), and the removal of the record.
    static func continuationChange(
        prepared: DistributedBlueprint, data: NodeJobData, item: WorkItem, record: Record, state: RedisWorkflowState,
        options: DistributedOptions
    ) async throws -> RunCommitter.Change {
        var change = try await NodeJobExecutor.completionChange(
            prepared: prepared, data: data, item: item, result: NodeResult(output: record.output, action: record.action),
            input: .null, state: state, options: options)
        change.deleted.append(recordKey(spawner: data.nodeID, iteration: data.iteration))
        return change
    }

    /// BullMQ `opts` of a dynamic node's job: its id and, in queue retry mode, the node's attempts.
    static func jobOptions(config: NodeConfig, jobID: String, options: DistributedOptions) -> String {
        var jobOptions = JobOptions(jobId: jobID)
        if options.retryMode == .queue {
            jobOptions.attempts = max(1, config.maxRetries ?? 1)
            if let delay = config.retryDelay, delay > 0 { jobOptions.backoff = Backoff(.exponential, delay: delay) }
        }
        return JSONText.serialize(jobOptions.json)
    }
}

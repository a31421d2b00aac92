import Flowcraft
import Foundation

/// The client side of distributed runs: start a run, wait for or read its result, resume a `wait`
/// node, cancel. It writes exactly what the seed's `startWorkflow` writes (the state hash and
/// `executeNode` jobs for the start nodes), plus the run's bookkeeping, in one atomic script call.
public struct WorkflowClient: Sendable {
    /// The Redis connection pool.
    public let client: RedisClient
    /// The blueprints this client can start.
    public let catalog: BlueprintCatalog
    /// The queue, retention and retry settings (must match the workers').
    public let options: DistributedOptions
    let committer: RunCommitter
    /// Whether the queue's recorded layout was checked (a client given no layout, once).
    let layoutCheck = UnresolvedLayoutCheck()
    /// The live workers' advertisements the graph check read last (``RollingDeployOptions/graphCheckMaxAge``).
    let liveWorkers = SharedWorkerDirectoryCache()

    /// A client over `client` that starts the blueprints of `catalog`.
    public init(client: RedisClient, catalog: BlueprintCatalog, options: DistributedOptions = DistributedOptions()) {
        self.client = client
        self.catalog = catalog
        self.options = options
        committer = RunCommitter(client: client, options: options)
    }

    /// A client for `blueprints`; throws when one cannot be compiled.
    public init(client: RedisClient, blueprints: [WorkflowBlueprint], options: DistributedOptions = DistributedOptions()) throws {
        self.init(client: client, catalog: try BlueprintCatalog(blueprints), options: options)
    }

    /// Starts a run of `blueprint` with `context` as its initial state and returns its id. Throws
    /// ``DistributedError`` for a `runID` that breaks the ``RunIdentifier`` rules (nothing is written).
    /// In a sharded layout (``DistributedOptions/layout``) the returned id is the run's shard tag
    /// followed by `runID` (the base id: `{orders.07}order-123`); a base id with `{` or `}` is refused.
    @discardableResult
    public func startWorkflow(
        _ blueprint: WorkflowBlueprint, context: [String: JSONValue] = [:], runID: String? = nil
    ) async throws -> String {
        var catalog = BlueprintCatalog()
        try catalog.add(blueprint)
        return try await start(
            catalog.prepared(id: blueprint.id, version: blueprint.effectiveVersion), version: blueprint.effectiveVersion,
            context: context, runID: runID)
    }

    /// Starts a run of a blueprint of the catalog (its unversioned or only version). Throws
    /// ``DistributedError`` for a `runID` that breaks the ``RunIdentifier`` rules (nothing is written).
    @discardableResult
    public func startWorkflow(
        blueprintID: String, version: String? = nil, context: [String: JSONValue] = [:], runID: String? = nil
    ) async throws -> String {
        let prepared = try catalog.prepared(id: blueprintID, version: version)
        return try await start(prepared, version: prepared.compiled.blueprint.effectiveVersion, context: context, runID: runID)
    }

    /// Why a new run's `context` breaks `limits` (a value past ``SizeLimits/maximumValueBytes``, the
    /// whole past ``SizeLimits/maximumRunContextBytes``), or `nil`.
    static func oversized(_ context: [String: JSONValue], limits: SizeLimits) -> String? {
        for (key, value) in context where value.isNested(deeperThan: SizeLimits.maximumNestingDepth) {
            return "the context value '\(key)' of a new run nests arrays and objects more than \(SizeLimits.maximumNestingDepth) levels deep (SizeLimits.maximumNestingDepth)"
        }
        if let limit = limits.maximumValueBytes {
            for (key, value) in context {
                let bytes = SizeLimits.byteCount(value)
                if bytes > limit { return "the context value '\(key)' of a new run is \(bytes) bytes; the limit is \(limit) (SizeLimits.maximumValueBytes)" }
            }
        }
        if let limit = limits.maximumRunContextBytes {
            let bytes = SizeLimits.byteCount(.object(context))
            if bytes > limit { return "the context of a new run is \(bytes) bytes; the limit is \(limit) (SizeLimits.maximumRunContextBytes)" }
        }
        return nil
    }

    private func start(
        _ prepared: DistributedBlueprint, version: String?, context: [String: JSONValue], runID: String?
    ) async throws -> String {
        let base = runID ?? UUID().uuidString.lowercased()
        if let problem = RunIdentifier.problemStarting(base) { throw DistributedError("invalid run id: \(problem)", cause: .invalidRunID) }
        try await layoutCheck.refuseUnresolvedShardedQueue(options: options, client: client)
        // In a sharded layout the stored id carries the run's shard tag (the base id as given otherwise).
        let id = try options.shards.newRunID(baseID: base)
        if let problem = RunIdentifier.problemStarting(id) { throw DistributedError("invalid run id: \(problem)", cause: .invalidRunID) }
        if let reason = prepared.unsupportedReason { throw DistributedError(reason) }
        // The size limits a node's writes are held to, before anything is written (found by review:
        // a 70 MB context was written whole, and the run failed at its first node).
        if let problem = Self.oversized(context, limits: options.sizeLimits) { throw DistributedError(problem) }
        guard !prepared.compiled.startNodes.isEmpty else {
            throw DistributedError("blueprint '\(prepared.compiled.id)' has no start node", cause: .unknownBlueprint)
        }
        try await refuseConflictingGraph(prepared, version: version)
        let change = RunCommitter.Change.start(prepared, runID: id, version: version, context: context, options: options)
        EventEmitter(handler: options.eventHandler, runID: id, blueprintID: prepared.compiled.id)?.emit(.workflowStart)
        let outcome = try await committer.commit(runID: id, blueprintID: prepared.compiled.id, version: version, change)
        guard outcome.commit == .committed else { throw DistributedError("run '\(id)' already exists", cause: .runExists) }
        return id
    }

    /// Refuses a start (or a resume) when a live worker of the queue (``WorkerDirectory``) has a blueprint with the
    /// same id and version label but other content (another fingerprint): a version label names one
    /// graph, and runs of two graphs under one label would be mixed. One read per
    /// ``RollingDeployOptions/graphCheckMaxAge`` (1 s by default), not one per start.
    func refuseConflictingGraph(_ prepared: DistributedBlueprint, version: String?) async throws {
        let live = try await liveWorkers.live(
            directory: WorkerDirectory(client: client, queueName: options.queueName),
            maxAge: options.rollingDeploy.graphCheckMaxAge)
        for (worker, entry) in live.sorted(by: { $0.key < $1.key }) {
            for other in entry.blueprints
            where other.id == prepared.compiled.id && other.version == version && other.fingerprint != prepared.fingerprint {
                throw DistributedError(
                    "cannot start or resume blueprint '\(prepared.compiled.id)' version \(version.map { "'\($0)'" } ?? "(unversioned)"): "
                        + "live worker '\(worker)' has a different graph under the same id and version (fingerprint "
                        + "\(other.fingerprint.prefix(12)), this one \(prepared.fingerprint.prefix(12))); give the changed "
                        + "blueprint a new version label")
            }
        }
    }

    /// The run's final result once written, else its current status (`running`/`awaiting`; an
    /// `awaiting` run lists in ``DistributedRunStatus/waitingOn`` the nodes it waits on and, for `wait`
    /// nodes, the actions their edges route when the catalog has its blueprint), or `nil` for an
    /// unknown run. Throws ``DistributedError`` for an id no run can have (``RunIdentifier``):
    /// workers refuse jobs that carry one, so such a "run" never moves.
    public func status(_ runID: String) async throws -> DistributedRunStatus? {
        if let problem = RunIdentifier.problem(with: runID) { throw DistributedError("invalid run id: \(problem)", cause: .invalidRunID) }
        let runID = try storedRunID(runID)
        let keys = DistributedKeys(runID: runID)
        // One round trip: the final status, the live status, and (for a run a seed-style client started,
        // which has no bookkeeping until its first commit) whether its state exists.
        let replies = try await client.pipeline([
            GET(key: keys.status).encoded, RunHash.get(.status, runKey: keys.run).encoded, EXISTS(key: keys.state).encoded,
        ])
        if let text = replies[0].string, let final = DistributedRunStatus(json: text) {
            return final.renderingStuckJoin(with: catalog)
        }
        if let status = RunHash.status(replies[1]) {
            var live = DistributedRunStatus(status: status)
            // A paused run names what it waits on (one more read, only for paused runs).
            if status == .awaiting { live.waitingOn = try await waitingNodes(of: runID) }
            return live
        }
        if replies[2].int == 1 { return DistributedRunStatus(status: .running) }
        return nil
    }

    /// Waits until the run is completed, failed or cancelled (or awaiting a `resume`, when
    /// `returnWhenAwaiting`), polling its status key. Throws when `timeout` passes first.
    public func result(_ runID: String, timeout: Duration = .seconds(60), returnWhenAwaiting: Bool = true) async throws -> DistributedRunStatus {
        let clock = ContinuousClock()
        let deadline = clock.now + timeout
        var pause = Duration.milliseconds(2)
        while true {
            if let status = try await status(runID) {
                switch status.status {
                case .completed, .failed, .cancelled: return status
                case .awaiting where returnWhenAwaiting: return status
                case .awaiting, .running: break
                }
            }
            if clock.now >= deadline { throw DistributedError("run '\(runID)' did not finish within \(timeout)", cause: .timedOut) }
            try await Task.sleep(for: min(pause, deadline - clock.now))
            pause = min(pause * 2, .milliseconds(100))
        }
    }

    /// Resumes a run paused on a `wait` node: the node completes with `output` and routes by `action`.
    /// With `nodeID` nil the first awaiting `wait` node is resumed.
    ///
    /// A run paused in a subflow is resumed inside the child (as the in-memory engine does): the
    /// `wait` is looked for in the child runs of the awaiting `subflow` nodes, depth first, and every
    /// parent up the chain leaves `awaiting` first; the parent continues when the child ends (or
    /// pauses again when the child does). Naming the `subflow` node resumes the first paused node of
    /// its child; resuming a child run by its own id works too.
    public func resume(_ runID: String, nodeID: String? = nil, action: String? = nil, output: JSONValue = .null) async throws {
        let runID = try storedRunID(runID)
        guard let target = try await awaitingWait(in: runID, nodeID: nodeID, isTop: true) else {
            throw DistributedError(
                "run '\(runID)' has no awaiting node\(nodeID.map { " '\($0)'" } ?? "")", cause: .notResumable)
        }
        // The output is the wait node's: held to its size limit before anything is written (found by
        // review: a 9 MiB output was stored, and the next node failed, named as the culprit).
        if let violation = SizeLimits.checkNesting(output, nodeID: target.entry.nodeID)
            ?? options.sizeLimits.checkOutput(output, nodeID: target.entry.nodeID)
        {
            throw DistributedError("run '\(target.runID)' cannot be resumed: \(violation.description)", cause: .notResumable)
        }
        // A client whose graph differs from a live worker's under the same label would route the run
        // with the wrong graph: refused like a start.
        try await refuseConflictingGraph(target.prepared, version: target.version)
        // An action the wait node's edges do not route is refused before anything is written.
        if RoutingRules.failsUnrouted(target.prepared.compiled, node: target.node, action: action) {
            throw DistributedError(
                "run '\(target.runID)' cannot be resumed: "
                    + RoutingRules.unroutedMessage(target.prepared.compiled, node: target.node, action: action))
        }
        let chain = try await parentChain(of: target.runID)
        var parents: [SubflowParentLink] = []
        for (link, _) in chain
        where try await SubflowResumeScript.resume(runID: link.runID, node: link.node, client: client, options: options) == .resumed {
            parents.append(link)
        }
        do {
            let data = NodeJobData(
                runID: target.runID, blueprintID: target.blueprintID, nodeID: target.entry.nodeID,
                iteration: target.entry.iteration)
            let state = RedisWorkflowState(runID: target.runID, client: client, mode: .buffered)
            let result = NodeResult(output: output, action: action)
            var change = try await NodeJobExecutor.completionChange(
                prepared: target.prepared, data: data, item: .node(target.node), result: result, input: .null,
                state: state, options: options)
            change.events = [NodeJobExecutor.finishEvent(target.entry.nodeID, result)] + change.events
            if options.history.isOn { change.history = Self.resumeHistory(change, target.entry, result: result) }
            EventEmitter(handler: options.eventHandler, runID: target.runID, blueprintID: target.blueprintID)?
                .emit(.workflowResume, nodeID: target.entry.nodeID)
            let outcome = try await committer.commit(
                runID: target.runID, blueprintID: target.blueprintID, version: target.version, change)
            guard outcome.commit == .committed else {
                throw DistributedError("run '\(target.runID)' could not be resumed at '\(target.entry.nodeID)': \(outcome.code)", cause: .notResumable)
            }
        } catch {
            // The parents left `awaiting` for nothing: their subflow nodes look at their children again.
            await recheck(parents)
            throw error
        }
        // A subflow job may have parked a parent again between the first step and the commit (it
        // saw the child still awaiting): take it out again, unless the child paused anew.
        do {
            for (link, child) in chain {
                _ = try await SubflowResumeScript.resume(
                    runID: link.runID, node: link.node, ifChildNotAwaiting: child, client: client, options: options)
            }
        } catch {
            await recheck(chain.map(\.link))
        }
    }

    /// The history of a resume: the resume itself, then the `wait` node's execution (it ends now).
    private static func resumeHistory(
        _ change: RunCommitter.Change, _ entry: NodeInstance, result: NodeResult
    ) -> [String] {
        let now = Int64(QueueClock.nowMilliseconds())
        var writes: [String: JSONValue] = [:]
        for (key, value) in change.values where !ContextKeys.isInternal(key) { writes[key] = value }
        let execution = RunHistoryEvent.NodeExecution(
            nodeID: entry.nodeID, iteration: entry.iteration, status: change.mode == .fail ? .failed : .completed,
            attempts: [RunHistoryEvent.Attempt(startedAt: now, endedAt: now)], action: result.action,
            outputBytes: result.output.isNull ? 0 : JSONText.serialize(result.output).utf8.count, writes: writes,
            error: change.mode == .fail ? change.reason : nil)
        return [
            RedisHistoryEntry.encode(.resumed(nodeID: entry.nodeID, action: result.action), time: now),
            RedisHistoryEntry.encode(.nodeFinished(execution), time: now),
        ]
    }

    /// A paused `wait` node a resume addresses.
    private struct AwaitingWait {
        var runID: String
        var blueprintID: String
        var version: String?
        var prepared: DistributedBlueprint
        var node: Int
        var entry: NodeInstance
    }

    /// The `wait` node `nodeID` (or the first one) paused in `runID` or, through its awaiting
    /// `subflow` nodes, in a child run.
    private func awaitingWait(in runID: String, nodeID: String?, isTop: Bool) async throws -> AwaitingWait? {
        let keys = DistributedKeys(runID: runID)
        let replies = try await client.pipeline([
            RunHash.read(runKey: keys.run).encoded,
            SMEMBERS(key: keys.awaiting).encoded,
        ])
        // A key someone changed by hand is named, not read as no run or no awaiting node.
        for (key, reply) in zip([keys.run, keys.awaiting], replies) {
            if case .error(let message) = reply {
                throw DistributedError(
                    "run '\(runID)' cannot be resumed: '\(key)' cannot be read: \(message)", cause: .unexpectedReply)
            }
        }
        let hash = RunHash(reply: replies[0])
        guard let blueprintID = hash.blueprintID else {
            if isTop { throw DistributedError("unknown run '\(runID)'", cause: .unknownRun) }
            return nil
        }
        let version = hash.blueprintVersion
        let entries = (replies[1].array ?? []).compactMap(\.string).compactMap(NodeInstance.init(member:)).sorted {
            ($0.nodeID, $0.iteration) < ($1.nodeID, $1.iteration)
        }
        guard !entries.isEmpty else { return nil }
        let prepared = try catalog.prepared(id: blueprintID, version: version)
        let plan = prepared.compiled
        func target(_ entry: NodeInstance) throws -> AwaitingWait {
            guard let n = plan.nodeIndex[entry.nodeID] else {
                throw DistributedError("blueprint '\(blueprintID)' has no node '\(entry.nodeID)'", cause: .unknownBlueprint)
            }
            return AwaitingWait(runID: runID, blueprintID: blueprintID, version: version, prepared: prepared, node: n, entry: entry)
        }
        func isSubflow(_ entry: NodeInstance) -> Bool {
            plan.nodeIndex[entry.nodeID].map { plan.builtins[$0] == .subflow } ?? false
        }
        func child(_ entry: NodeInstance) -> String { SubflowParentLink.childRunID(parent: runID, node: entry) }

        if let nodeID, let direct = entries.first(where: { $0.nodeID == nodeID }) {
            return isSubflow(direct) ? try await awaitingWait(in: child(direct), nodeID: nil, isTop: false) : try target(direct)
        }
        if nodeID == nil, let wait = entries.first(where: { !isSubflow($0) }) { return try target(wait) }
        for entry in entries where isSubflow(entry) {
            if let found = try await awaitingWait(in: child(entry), nodeID: nodeID, isTop: false) { return found }
        }
        return nil
    }

    /// The parent links above `runID`, nearest first, each with the child run below it.
    private func parentChain(of runID: String) async throws -> [(link: SubflowParentLink, child: String)] {
        var chain: [(link: SubflowParentLink, child: String)] = []
        var current = runID
        while chain.count <= options.maximumSubflowDepth {
            guard let text = try await client.execute(RunHash.get(.parent, runKey: DistributedKeys(runID: current).run)),
                let link = SubflowParentLink(json: text)
            else { break }
            chain.append((link, current))
            current = link.runID
        }
        return chain
    }

    /// Adds a job for each parent's subflow node, which looks at its child again: it parks the node
    /// while the child is paused and takes it out of `awaiting` while the child runs.
    private func recheck(_ parents: [SubflowParentLink]) async {
        guard !parents.isEmpty else { return }
        let now = QueueClock.nowMilliseconds()
        for link in parents {
            let id = "\(link.jobID).recheck.\(now)"
            do {
                let queue = try Queue(name: committer.queueName(forRun: link.runID), client: client, prefix: options.queuePrefix)
                _ = try await queue.add(name: options.jobName, data: link.job.json, options: JobOptions(jobId: id))
            } catch {
                options.logger.warning(
                    "could not re-check a subflow node", metadata: ["runId": "\(link.runID)", "nodeId": "\(link.node)", "error": "\(error)"])
            }
        }
    }

    /// Cancels a run: it ends with status `cancelled`; jobs still queued for it finish without running.
    /// The child runs of its subflow nodes are cancelled too.
    public func cancel(_ runID: String, reason: String = "cancelled") async throws {
        try await RunCanceller(client: client, catalog: catalog, committer: committer).cancel(storedRunID(runID), reason: reason)
    }

    /// The stored id of the run `id` names: `id` itself in the single layout; in a sharded layout the
    /// full id (`{<queue>.07}order-123`) as given, or a base id (`order-123`) placed on its shard.
    /// - Throws: ``DistributedError`` (`invalidLayout`) for a sharded queue's id with a foreign tag.
    public func storedRunID(_ id: String) throws -> String { try options.shards.runID(for: id) }
}

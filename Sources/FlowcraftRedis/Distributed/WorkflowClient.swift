import Flowcraft
import Foundation

/// The client side of distributed runs: start a run, wait for or read its result, resume a `wait`
/// node, cancel. It writes exactly what the seed's `startWorkflow` writes (the state hash and
/// `executeNode` jobs for the start nodes), plus the run's bookkeeping, in one atomic script call.
public struct WorkflowClient: Sendable {
    public let client: RedisClient
    public let catalog: BlueprintCatalog
    public let options: DistributedOptions
    let committer: RunCommitter

    public init(client: RedisClient, catalog: BlueprintCatalog, options: DistributedOptions = DistributedOptions()) {
        self.client = client
        self.catalog = catalog
        self.options = options
        committer = RunCommitter(client: client, options: options)
    }

    public init(client: RedisClient, blueprints: [WorkflowBlueprint], options: DistributedOptions = DistributedOptions()) throws {
        self.init(client: client, catalog: try BlueprintCatalog(blueprints), options: options)
    }

    /// Starts a run of `blueprint` with `context` as its initial state and returns its id.
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

    /// Starts a run of a blueprint of the catalog (its unversioned or only version).
    @discardableResult
    public func startWorkflow(
        blueprintID: String, version: String? = nil, context: [String: JSONValue] = [:], runID: String? = nil
    ) async throws -> String {
        let prepared = try catalog.prepared(id: blueprintID, version: version)
        return try await start(prepared, version: prepared.plan.blueprint.effectiveVersion, context: context, runID: runID)
    }

    private func start(
        _ prepared: PreparedBlueprint, version: String?, context: [String: JSONValue], runID: String?
    ) async throws -> String {
        let id = runID ?? UUID().uuidString.lowercased()
        guard !id.isEmpty, !id.contains(":") else { throw DistributedError("invalid run id '\(id)'") }
        if let reason = prepared.unsupportedReason { throw DistributedError(reason) }
        guard !prepared.plan.startNodes.isEmpty else {
            throw DistributedError("blueprint '\(prepared.plan.id)' has no start node")
        }
        let planner = CompletionPlanner(plan: prepared.plan, runID: id, options: options)
        var change = RunCommitter.Change(mode: .start)
        change.values = context.sorted { $0.key < $1.key }.map { ($0.key, $0.value) }
        if let version { change.values.append(("blueprintVersion", .string(version))) }
        change.starts = prepared.startEntries
        change.records = planner.startRecords()
        EventEmitter(handler: options.eventHandler, runID: id, blueprintID: prepared.plan.id)?.emit(.workflowStart)
        let outcome = try await committer.commit(runID: id, blueprintID: prepared.plan.id, version: version, change)
        guard outcome.code == "committed" else { throw DistributedError("run '\(id)' already exists") }
        return id
    }

    /// The run's final result once written, else its current status (`running`/`awaiting`), or `nil`
    /// for an unknown run.
    public func status(_ runID: String) async throws -> DistributedRunStatus? {
        let keys = DistributedKeys(runID: runID)
        let replies = try await client.pipeline([RedisCommand(["GET", keys.status]), RedisCommand(["HGET", keys.run, "status"])])
        if let text = replies[0].string, let final = DistributedRunStatus(json: text) { return final }
        if let name = replies[1].string, let status = DistributedRunStatus.Status(rawValue: name) {
            return DistributedRunStatus(status: status)
        }
        if try await client.send(RedisCommand(["EXISTS", keys.state])).int == 1 { return DistributedRunStatus(status: .running) }
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
            if clock.now >= deadline { throw DistributedError("run '\(runID)' did not finish within \(timeout)") }
            try await Task.sleep(for: min(pause, deadline - clock.now))
            pause = min(pause * 2, .milliseconds(100))
        }
    }

    /// Resumes a run paused on a `wait` node: the node completes with `output` and routes by `action`.
    /// With `nodeID` nil the first awaiting `wait` node is resumed.
    public func resume(_ runID: String, nodeID: String? = nil, action: String? = nil, output: JSONValue = .null) async throws {
        let keys = DistributedKeys(runID: runID)
        let replies = try await client.pipeline([
            RedisCommand(["HMGET", keys.run, "blueprintId", "blueprintVersion", "status"]),
            RedisCommand(["SMEMBERS", keys.awaiting]),
        ])
        guard let fields = replies[0].array, fields.count == 3, let blueprintID = fields[0].string else {
            throw DistributedError("unknown run '\(runID)'")
        }
        let version = fields[1].string.flatMap { $0.isEmpty ? nil : $0 }
        let entries = (replies[1].array ?? []).compactMap(\.string).compactMap(NodeInstance.init(member:)).sorted {
            ($0.nodeID, $0.iteration) < ($1.nodeID, $1.iteration)
        }
        guard let entry = entries.first(where: { nodeID == nil || $0.nodeID == nodeID }) else {
            throw DistributedError("run '\(runID)' has no awaiting node\(nodeID.map { " '\($0)'" } ?? "")")
        }
        let prepared = try catalog.prepared(id: blueprintID, version: version)
        guard let n = prepared.plan.nodeIndex[entry.nodeID] else {
            throw DistributedError("blueprint '\(blueprintID)' has no node '\(entry.nodeID)'")
        }
        let data = NodeJobData(runID: runID, blueprintID: blueprintID, nodeID: entry.nodeID, iteration: entry.iteration)
        let state = RedisWorkflowState(runID: runID, client: client, mode: .buffered)
        let result = NodeResult(output: output, action: action)
        var change = try await NodeJobExecutor.completionChange(
            prepared: prepared, data: data, item: .node(n), result: result, input: .null, state: state, options: options)
        change.events = [NodeJobExecutor.finishEvent(entry.nodeID, result)] + change.events
        EventEmitter(handler: options.eventHandler, runID: runID, blueprintID: blueprintID)?
            .emit(.workflowResume, nodeID: entry.nodeID)
        let outcome = try await committer.commit(runID: runID, blueprintID: blueprintID, version: version, change)
        guard outcome.code == "committed" else {
            throw DistributedError("run '\(runID)' could not be resumed at '\(entry.nodeID)': \(outcome.code)")
        }
    }

    /// Cancels a run: it ends with status `cancelled`; jobs still queued for it finish without running.
    public func cancel(_ runID: String, reason: String = "cancelled") async throws {
        let keys = DistributedKeys(runID: runID)
        let fields = try await client.send(RedisCommand(["HMGET", keys.run, "blueprintId", "blueprintVersion"])).array ?? []
        let blueprintID = fields.first?.string ?? ""
        let version = fields.count > 1 ? fields[1].string.flatMap { $0.isEmpty ? nil : $0 } : nil
        _ = try await committer.commit(
            runID: runID, blueprintID: blueprintID, version: version, RunCommitter.Change(mode: .cancel, reason: reason))
    }
}

import Flowcraft

/// The data of an `executeNode` job: `{runId, blueprintId, nodeId}` as the seed's client writes it,
/// plus optional fields this engine adds (`iteration` for loops, `fallbackFor` when a fallback node
/// runs in place of a failed one, `batchOf`/`batchIndex`/`batchCount` for the worker jobs of a
/// `batch-scatter`, `dynamicOf`/`dynamicCount`/`dynamicNode`/`afterDynamic` for the dynamic nodes a
/// node returned and the routing of that node once they all finished; see ``DynamicNodes``).
struct NodeJobData: Sendable, Hashable {
    /// Longest run id a job may carry (``RunIdentifier``).
    static let maximumRunIDLength = RunIdentifier.maximumLength

    /// The largest iteration number ``IterationNumbering`` makes (a field per nesting level).
    static let maximumIteration = (1 << (IterationNumbering.bitsPerLevel * IterationNumbering.maximumDepth)) - 1

    var runID: String
    var blueprintID: String
    var nodeID: String
    var iteration: Int
    var fallbackFor: String?
    /// The batch-scatter node whose worker this job runs (`nodeID` is then the worker's id).
    var batchOf: String?
    /// The worker's item index and the batch's item count.
    var batchIndex = 0
    var batchCount = 0
    /// The node whose dynamic nodes this job belongs to: with `dynamicNode`, the job runs that dynamic
    /// node (`nodeID` is its id); with `afterDynamic`, it routes from `dynamicOf` once all of them
    /// committed (`nodeID` is then `dynamicOf`).
    var dynamicOf: String?
    /// How many dynamic nodes the node returned (the continuation waits for all of them).
    var dynamicCount = 0
    /// The definition of the dynamic node this job runs.
    var dynamicNode: NodeDefinition?
    /// The job is the continuation of `dynamicOf`: its routing, after its dynamic nodes.
    var afterDynamic = false
    /// The ``BlueprintFingerprint`` of the graph the run runs (`blueprintFingerprint`): a worker whose
    /// blueprint of that id and version has another fingerprint leaves the job to one that has it.
    /// `nil` for jobs of clients that do not write it (they run with the run's version as before).
    var blueprintFingerprint: String?

    init(runID: String, blueprintID: String, nodeID: String, iteration: Int = 0, fallbackFor: String? = nil) {
        self.runID = runID
        self.blueprintID = blueprintID
        self.nodeID = nodeID
        self.iteration = iteration
        self.fallbackFor = fallbackFor
    }

    /// The job of worker `index` of a batch of `count` items scattered by `scatterID`.
    init(runID: String, blueprintID: String, worker spec: BatchPlan, index: Int, count: Int, iteration: Int) {
        self.init(runID: runID, blueprintID: blueprintID, nodeID: spec.workerID(index), iteration: iteration)
        batchOf = spec.scatterID
        batchIndex = index
        batchCount = count
    }

    /// Reads job data; throws a readable reason for hostile or malformed payloads.
    init(json: JSONValue) throws(DistributedError) {
        guard case .object(let members) = json else { throw DistributedError("job data is not a JSON object", cause: .invalidJobData) }
        guard let runID = members["runId"]?.stringValue else { throw DistributedError("job data lacks a valid 'runId'", cause: .invalidJobData) }
        if let problem = RunIdentifier.problem(with: runID) { throw DistributedError("job data has an invalid 'runId': \(problem)", cause: .invalidJobData) }
        guard let blueprintID = members["blueprintId"]?.stringValue, !blueprintID.isEmpty else {
            throw DistributedError("job data lacks 'blueprintId'", cause: .invalidJobData)
        }
        guard let nodeID = members["nodeId"]?.stringValue, !nodeID.isEmpty else {
            throw DistributedError("job data lacks 'nodeId'", cause: .invalidJobData)
        }
        var iteration = 0
        if let value = members["iteration"], !value.isNull {
            guard let i = value.intValue, i >= 0, i <= Self.maximumIteration else {
                throw DistributedError("job data has an invalid 'iteration' (0...\(Self.maximumIteration))", cause: .invalidJobData)
            }
            iteration = i
        }
        // Ids compare as NFC in every engine: a client may name a node decomposed.
        let nfc = IdentifierNormalization.nfc
        self.init(
            runID: runID, blueprintID: nfc(blueprintID), nodeID: nfc(nodeID), iteration: iteration,
            fallbackFor: members["fallbackFor"]?.stringValue.map(nfc))
        if let fingerprint = members["blueprintFingerprint"], !fingerprint.isNull {
            guard let text = fingerprint.stringValue, !text.isEmpty, text.count <= 64 else {
                throw DistributedError("job data has an invalid 'blueprintFingerprint' (a non-empty string of at most 64 characters)")
            }
            blueprintFingerprint = text
        }
        if let scatter = members["batchOf"]?.stringValue {
            guard let index = members["batchIndex"]?.intValue, let count = members["batchCount"]?.intValue,
                index >= 0, index < count
            else { throw DistributedError("job data has an invalid batch worker index", cause: .invalidJobData) }
            batchOf = nfc(scatter)
            batchIndex = index
            batchCount = count
        }
        if let spawner = members["dynamicOf"]?.stringValue {
            // A continuation also follows a batch's workers, which may outnumber the dynamic-node limit.
            let isContinuation = members["afterDynamic"]?.boolValue == true
            guard let count = members["dynamicCount"]?.intValue, count > 0,
                isContinuation || count <= DynamicNodes.maximumCount
            else {
                throw DistributedError("job data has an invalid 'dynamicCount'", cause: .invalidJobData)
            }
            dynamicOf = nfc(spawner)
            dynamicCount = count
            if members["afterDynamic"]?.boolValue == true {
                guard spawner == nodeID else { throw DistributedError("job data of a dynamic continuation names another node", cause: .invalidJobData) }
                afterDynamic = true
            } else {
                guard let definition = members["dynamicNode"],
                    let node = try? JSONValueDecoder().decode(NodeDefinition.self, from: definition), node.id == nodeID
                else { throw DistributedError("job data lacks a valid 'dynamicNode' for '\(nodeID)'", cause: .invalidJobData) }
                dynamicNode = node.normalizingIdentifiers()
            }
        }
    }

    var json: JSONValue {
        var members: [String: JSONValue] = [
            "runId": .string(runID), "blueprintId": .string(blueprintID), "nodeId": .string(nodeID),
        ]
        if iteration > 0 { members["iteration"] = .int(iteration) }
        if let blueprintFingerprint { members["blueprintFingerprint"] = .string(blueprintFingerprint) }
        if let fallbackFor { members["fallbackFor"] = .string(fallbackFor) }
        if let batchOf {
            members["batchOf"] = .string(batchOf)
            members["batchIndex"] = .int(batchIndex)
            members["batchCount"] = .int(batchCount)
        }
        if let dynamicOf {
            members["dynamicOf"] = .string(dynamicOf)
            members["dynamicCount"] = .int(dynamicCount)
            if afterDynamic { members["afterDynamic"] = true }
            if let dynamicNode, let definition = try? JSONValueEncoder().encode(dynamicNode) { members["dynamicNode"] = definition }
        }
        return .object(members)
    }

    /// The pending/done entry this job commits: the node in its iteration; for dynamic nodes and
    /// continuations an entry named after the node that returned them (``DynamicNodes``).
    var instance: NodeInstance {
        if let dynamicOf {
            let name = afterDynamic ? DynamicNodes.continuationEntry(of: dynamicOf) : DynamicNodes.entry(of: nodeID, spawnedBy: dynamicOf)
            return NodeInstance(name, iteration: iteration)
        }
        // A fallback commits per failed node: a fallback shared by several nodes runs once for each.
        if let fallbackFor { return NodeInstance(Self.fallbackEntry(nodeID, for: fallbackFor), iteration: iteration) }
        return NodeInstance(nodeID, iteration: iteration)
    }

    /// The pending/done entry name of fallback `nodeID` running in place of failed `failed`.
    static func fallbackEntry(_ nodeID: String, for failed: String) -> String {
        "\(nodeID)~fallback-of~\(failed)"
    }

    /// The fallback and the failed node a fallback entry names (``fallbackEntry(_:for:)``).
    static func fallbackEntryParts(_ name: String) -> (fallback: String, failed: String)? {
        guard let range = name.firstRange(of: "~fallback-of~") else { return nil }
        return (String(name[..<range.lowerBound]), String(name[range.upperBound...]))
    }

    /// The BullMQ job id: readable, unique per run, node and iteration, free of `:` and injective
    /// (``JobIDEncoding``).
    var jobID: String {
        var id = JobIDEncoding.component(runID) + "." + JobIDEncoding.component(instance.nodeID) + ".\(iteration)"
        if let fallbackFor { id += ".fallback-of." + JobIDEncoding.component(fallbackFor) }
        return id
    }
}

extension NodeInstance {
    /// The node that runs for this entry, as history and events name it: the fallback for a fallback
    /// entry (``NodeJobData/fallbackEntry(_:for:)``), else the entry's node.
    var displayNodeID: String { NodeJobData.fallbackEntryParts(nodeID)?.fallback ?? nodeID }
}

import FlowcraftModel

/// The data of an `executeNode` job: `{runId, blueprintId, nodeId}` as the seed's client writes it,
/// plus optional fields this engine adds (`iteration` for loops, `fallbackFor` when a fallback node
/// runs in place of a failed one).
struct NodeJobData: Sendable, Hashable {
    var runID: String
    var blueprintID: String
    var nodeID: String
    var iteration: Int
    var fallbackFor: String?

    init(runID: String, blueprintID: String, nodeID: String, iteration: Int = 0, fallbackFor: String? = nil) {
        self.runID = runID
        self.blueprintID = blueprintID
        self.nodeID = nodeID
        self.iteration = iteration
        self.fallbackFor = fallbackFor
    }

    /// Reads job data; throws a readable reason for hostile or malformed payloads.
    init(json: JSONValue) throws(DistributedError) {
        guard case .object(let members) = json else { throw DistributedError("job data is not a JSON object") }
        guard let runID = members["runId"]?.stringValue, !runID.isEmpty, runID.utf8.count <= 200 else {
            throw DistributedError("job data lacks a valid 'runId'")
        }
        guard let blueprintID = members["blueprintId"]?.stringValue, !blueprintID.isEmpty else {
            throw DistributedError("job data lacks 'blueprintId'")
        }
        guard let nodeID = members["nodeId"]?.stringValue, !nodeID.isEmpty else {
            throw DistributedError("job data lacks 'nodeId'")
        }
        var iteration = 0
        if let value = members["iteration"], !value.isNull {
            guard let i = value.intValue, i >= 0 else { throw DistributedError("job data has an invalid 'iteration'") }
            iteration = i
        }
        self.init(
            runID: runID, blueprintID: blueprintID, nodeID: nodeID, iteration: iteration,
            fallbackFor: members["fallbackFor"]?.stringValue)
    }

    var json: JSONValue {
        var members: [String: JSONValue] = [
            "runId": .string(runID), "blueprintId": .string(blueprintID), "nodeId": .string(nodeID),
        ]
        if iteration > 0 { members["iteration"] = .int(iteration) }
        if let fallbackFor { members["fallbackFor"] = .string(fallbackFor) }
        return .object(members)
    }

    var instance: NodeInstance { NodeInstance(nodeID, iteration: iteration) }

    /// The BullMQ job id: readable, unique per run, node and iteration, and free of `:`.
    var jobID: String {
        var id = "\(runID).\(nodeID).\(iteration)"
        if let fallbackFor { id += ".fallback-of.\(fallbackFor)" }
        return id.replacingColons()
    }
}

extension String {
    /// BullMQ ids may not contain `:`.
    func replacingColons() -> String {
        guard contains(":") else { return self }
        return String(map { $0 == ":" ? "_" : $0 })
    }
}

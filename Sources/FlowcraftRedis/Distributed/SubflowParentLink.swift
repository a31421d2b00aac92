import Flowcraft
import FlowcraftModel

/// The link a child run keeps to the `subflow` node that started it, stored as JSON in the `parent`
/// field of the child's run hash when the child starts.
///
/// The completion script reads it when the child ends or settles as `awaiting` and adds a job for
/// the parent's subflow node (`job`, under an id derived from `jobID`); the client reads it to move
/// the parent out of `awaiting` when the child is resumed.
struct SubflowParentLink: Sendable, Hashable {
    /// The parent run.
    var runID: String
    /// The parent's subflow node and iteration (its pending/awaiting entry).
    var node: NodeInstance
    /// The parent subflow node's job id: the base of every notification job's id.
    var jobID: String
    /// The data of the parent subflow node's job, which the notification jobs carry.
    var job: NodeJobData
    /// The child's depth in its subflow tree (1 for a child of a top-level run).
    var depth: Int

    init(job: NodeJobData, depth: Int) {
        runID = job.runID
        node = job.instance
        jobID = job.jobID
        self.job = job
        self.depth = depth
    }

    /// The child run of the parent's subflow node in `iteration`: `<parentRunId>/<node>#<iteration>`,
    /// deterministic so a redelivered job finds the child its first delivery started, and distinct for
    /// distinct parents and nodes (the node id's `%` and `/` are escaped: ``JobIDEncoding``).
    static func childRunID(parent runID: String, node: NodeInstance) -> String {
        SubflowRunID.child(of: runID, nodeID: node.nodeID, iteration: node.iteration)
    }

    /// The JSON the script reads: `{runId, node, jobId, job, depth}` with `job` as JSON text.
    var json: String {
        JSONText.serialize([
            "runId": .string(runID), "node": .string(node.description), "jobId": .string(jobID),
            "job": .string(JSONText.serialize(job.json)), "depth": .int(depth),
        ])
    }

    /// Reads a stored link; `nil` when it is not one.
    init?(json text: String) {
        guard let value = try? JSONText.parse(text), let runID = value["runId"]?.stringValue,
            let node = value["node"]?.stringValue.flatMap(NodeInstance.init(member:)),
            let jobID = value["jobId"]?.stringValue, let jobText = value["job"]?.stringValue,
            let jobValue = try? JSONText.parse(jobText), let job = try? NodeJobData(json: jobValue)
        else { return nil }
        self.runID = runID
        self.node = node
        self.jobID = jobID
        self.job = job
        depth = max(1, value["depth"]?.intValue ?? 1)
    }
}

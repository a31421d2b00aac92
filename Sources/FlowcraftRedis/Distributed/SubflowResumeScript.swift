/// Takes a parent's `subflow` node out of `awaiting` when its child is resumed: the node is pending
/// again (its child runs), and a parent whose every pending node was awaiting is `running` again
/// and back in the active-runs index. The child tells the node when it ends or pauses again.
///
/// With the child's run hash given, only while the child is not `awaiting`: atomic with respect to
/// the child pausing again (whose notification then parks the node anew), which closes the window
/// where a resume and the parent's parking of the node cross.
///
/// KEYS: 1 run hash, 2 awaiting set, 3 active-runs index, 4 (optional) the child's run hash.
/// ARGV: 1 the node's `node#iteration`, 2 now (ms), 3 the run id.
///
/// Returns `resumed`, `not-awaiting` (the node was not parked), `child-awaiting`, or the run's status
/// when it has ended (`completed`, `failed`, `cancelled`) or is unknown (`unknown`).
enum SubflowResumeScript {
    static let script = LuaScriptAssembler.script(name: "flowcraftResumeSubflowNode", file: "resume-subflow-node.lua")

    /// What the script did.
    enum Outcome: Sendable, Hashable {
        /// The node was taken out of `awaiting`.
        case resumed
        /// The node was not parked.
        case notAwaiting
        /// The child is awaiting: the node stays parked.
        case childAwaiting
        /// The parent run ended (`completed`, `failed`, `cancelled`): nothing changed.
        case ended(DistributedRunStatus.Status)
        /// No such parent run (or an answer this engine does not know).
        case unknown

        /// The script's answer.
        init(_ answer: String) {
            switch answer {
            case "resumed": self = .resumed
            case "not-awaiting": self = .notAwaiting
            case "child-awaiting": self = .childAwaiting
            default: self = DistributedRunStatus.Status(rawValue: answer).map(Outcome.ended) ?? .unknown
            }
        }
    }

    /// Resumes subflow node `node` of run `runID` (only while `childRunID`'s run is not awaiting,
    /// when given); returns what the script did.
    static func resume(
        runID: String, node: NodeInstance, ifChildNotAwaiting childRunID: String? = nil, client: RedisClient,
        options: DistributedOptions
    ) async throws -> Outcome {
        let reply = try await client.evalScript(
            script,
            Call(runID: runID, node: node, childRunID: childRunID, queueName: options.shards.queueName(forRun: runID),
                 now: QueueClock.nowMilliseconds()))
        if let message = reply.errorMessage { throw RedisError.server(message, command: "resume subflow node") }
        return Outcome(reply.string ?? "")
    }
}

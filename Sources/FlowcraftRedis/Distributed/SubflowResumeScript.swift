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
    static let script = RedisScript(name: "flowcraftResumeSubflowNode", source: #"""
local status = redis.call("HGET", KEYS[1], "status")
if status ~= "awaiting" and status ~= "running" then return status or "unknown" end
if KEYS[4] and redis.call("HGET", KEYS[4], "status") == "awaiting" then return "child-awaiting" end
if redis.call("SREM", KEYS[2], ARGV[1]) == 0 then return "not-awaiting" end
if status == "awaiting" then redis.call("HSET", KEYS[1], "status", "running") end
redis.call("ZADD", KEYS[3], ARGV[2], ARGV[3])
return "resumed"
"""#)

    /// Resumes subflow node `node` of run `runID` (only while `childRunID`'s run is not awaiting,
    /// when given); returns the script's answer.
    static func resume(
        runID: String, node: NodeInstance, ifChildNotAwaiting childRunID: String? = nil, client: RedisClient,
        options: DistributedOptions
    ) async throws -> String {
        let keys = DistributedKeys(runID: runID)
        var scriptKeys = [keys.run, keys.awaiting, DistributedKeys.activeRuns(queue: options.queueName)]
        if let childRunID { scriptKeys.append(DistributedKeys(runID: childRunID).run) }
        let reply = try await client.evalScript(
            script, keys: scriptKeys, arguments: [node.description, String(QueueClock.nowMilliseconds()), runID])
        if let message = reply.errorMessage { throw RedisError.server(message, command: "resume subflow node") }
        return reply.string ?? ""
    }
}

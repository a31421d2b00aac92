/// Takes a parent's `subflow` node out of `awaiting` when its child is resumed: the node is pending
/// again (its child runs), and a parent whose every pending node was awaiting is `running` again
/// and back in the active-runs index. The child tells the node when it ends or pauses again.
///
/// KEYS: 1 run hash, 2 awaiting set, 3 active-runs index. ARGV: 1 the node's `node#iteration`,
/// 2 now (ms), 3 the run id.
///
/// Returns `resumed`, `not-awaiting` (the node was not parked), or the run's status when it has
/// ended (`completed`, `failed`, `cancelled`) or is unknown (`unknown`).
enum SubflowResumeScript {
    static let script = RedisScript(name: "flowcraftResumeSubflowNode", source: #"""
local status = redis.call("HGET", KEYS[1], "status")
if status ~= "awaiting" and status ~= "running" then return status or "unknown" end
if redis.call("SREM", KEYS[2], ARGV[1]) == 0 then return "not-awaiting" end
if status == "awaiting" then redis.call("HSET", KEYS[1], "status", "running") end
redis.call("ZADD", KEYS[3], ARGV[2], ARGV[3])
return "resumed"
"""#)
}

--- flowcraftResumeSubflowNode: takes a parent's `subflow` node out of `awaiting` when its child is
--- resumed. Called through SubflowResumeScript.Call.
--- KEYS: 1 run hash, 2 awaiting set, 3 active-runs index, 4 (optional) the child's run hash.
--- ARGV: 1 the node's `node#iteration`, 2 now (ms), 3 the run id.
--- Returns `resumed`, `not-awaiting` (the node was not parked), `child-awaiting`, or the run's status
--- when it has ended (`completed`, `failed`, `cancelled`) or is unknown (`unknown`).
local status = redis.call("HGET", KEYS[1], "status")
if status ~= "awaiting" and status ~= "running" then return status or "unknown" end
if KEYS[4] and redis.call("HGET", KEYS[4], "status") == "awaiting" then return "child-awaiting" end
if redis.call("SREM", KEYS[2], ARGV[1]) == 0 then return "not-awaiting" end
if status == "awaiting" then
  redis.call("HSET", KEYS[1], "status", "running")
  -- No longer among the queue's waiting runs (their index is named after the active-runs index's queue).
  redis.call("ZREM", "{{HISTORY_INDEX_PREFIX}}status:" .. string.sub(KEYS[3], {{QUEUE_NAME_START}}) .. ":waiting", ARGV[3])
end
redis.call("ZADD", KEYS[3], ARGV[2], ARGV[3])
return "resumed"

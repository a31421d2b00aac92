--- extendLocks: renews the locks of all jobs a worker holds, in one call per renewal tick.
--- Called through QueueScript.ExtendLocksCall.
--- KEYS: 1 stalled. ARGV: 1 key prefix, 2 lock duration ms, then job id / token pairs.
--- Returns the ids whose lock was no longer held with that token (lost to stalled recovery).
local prefix, duration = ARGV[1], tonumber(ARGV[2])
if not duration or duration <= 0 or duration ~= math.floor(duration) or #ARGV % 2 ~= 0 then
  return redis.error_reply("ERR flowcraft extendLocks: invalid lock duration or id/token pairs")
end
local lost = {}
for i = 3, #ARGV, 2 do
  local jobId, token = ARGV[i], ARGV[i + 1]
  local lockKey = prefix .. jobId .. ":lock"
  if redis.call("GET", lockKey) == token then
    redis.call("SET", lockKey, token, "PX", duration)
    redis.call("SREM", KEYS[1], jobId)
  else
    lost[#lost + 1] = jobId
  end
end
return lost

--- moveStalledJobsToWait: the stalled sweep. Jobs whose lock lapsed since the previous sweep go
--- back to `wait` (or get a deferred failure after too many stalls); then every active job becomes a
--- candidate for the next sweep. `stalled-check` limits the work to one sweep per interval across all
--- workers. Called through QueueScript.MoveStalledJobsToWaitCall.
--- KEYS: 1 stalled, 2 wait, 3 active, 4 stalled-check, 5 meta, 6 marker, 7 events.
--- ARGV: 1 key prefix, 2 max stalled count, 3 now ms, 4 stalled interval ms.
--- Returns the ids that were recovered.
--@include "events.lua"
if #ARGV < 4 then return redis.error_reply("ERR flowcraft moveStalledJobsToWait: expected at least 4 arguments") end
local prefix, maxStalled, now, interval = ARGV[1], tonumber(ARGV[2]), tonumber(ARGV[3]), tonumber(ARGV[4])
if not isInteger(maxStalled) or maxStalled < 0 or not isInteger(now) or not isInteger(interval)
  or interval <= 0 then
  return redis.error_reply("ERR flowcraft moveStalledJobsToWait: invalid arguments")
end
local stalledKey, waitKey, activeKey, checkKey, metaKey, markerKey, eventsKey =
  KEYS[1], KEYS[2], KEYS[3], KEYS[4], KEYS[5], KEYS[6], KEYS[7]
if redis.call("EXISTS", checkKey) == 1 then return {} end
redis.call("SET", checkKey, now, "PX", interval)

local cap = eventsCap(metaKey)
local paused = redis.call("HGET", metaKey, "paused") ~= false
local recovered = {}
for _, jobId in ipairs(redis.call("SMEMBERS", stalledKey)) do
  local jobKey = prefix .. jobId
  if redis.call("EXISTS", jobKey .. ":lock") == 0
    and redis.call("LREM", activeKey, 1, jobId) > 0 then
    if redis.call("EXISTS", jobKey) == 1 then
      local stalls = redis.call("HINCRBY", jobKey, "stc", 1)
      if stalls > maxStalled then
        redis.call("HSET", jobKey, "defa", "job stalled more than allowable limit")
      end
      redis.call("RPUSH", waitKey, jobId)
      if not paused then redis.call("ZADD", markerKey, 0, "0") end
      emit(eventsKey, cap, "event", "waiting", "jobId", jobId, "prev", "active")
      emit(eventsKey, cap, "event", "stalled", "jobId", jobId)
      recovered[#recovered + 1] = jobId
    end
  end
end
redis.call("DEL", stalledKey)

local active = redis.call("LRANGE", activeKey, 0, -1)
for i = 1, #active, 5000 do
  redis.call("SADD", stalledKey, unpack(active, i, math.min(i + 4999, #active)))
end
return recovered

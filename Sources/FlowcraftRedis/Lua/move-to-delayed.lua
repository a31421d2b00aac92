--- moveToDelayed: moves a failed active job to the delayed set, to be retried after its backoff.
--- Called through QueueScript.MoveToDelayedCall.
--- KEYS: 1 delayed, 2 active, 3 events, 4 meta, 5 marker, 6 stalled.
--- ARGV: 1 key prefix, 2 job id, 3 lock token ("0" = skip the check), 4 now ms, 5 backoff delay ms,
--- 6 failedReason, 7 stacktrace JSON, 8 counts an attempt ("0" leaves `atm` unchanged: a hand back to
--- another worker; otherwise "1").
--- Returns 0, or -1 missing job, -2 missing lock, -3 not active, -6 token mismatch.
--@include "events.lua"
--@include "release-active-job.lua"
if #ARGV < 7 then return redis.error_reply("ERR flowcraft moveToDelayed: expected at least 7 arguments") end
local prefix, jobId, token = ARGV[1], ARGV[2], ARGV[3]
local now, delay, reason, stacktrace = tonumber(ARGV[4]), tonumber(ARGV[5]), ARGV[6], ARGV[7]
if jobId == "" or not isInteger(now) or not isInteger(delay) or delay < 0 then
  return redis.error_reply("ERR flowcraft moveToDelayed: invalid job id, time or delay")
end
local delayedKey, activeKey, eventsKey, metaKey, markerKey, stalledKey =
  KEYS[1], KEYS[2], KEYS[3], KEYS[4], KEYS[5], KEYS[6]
local jobKey = prefix .. jobId
local released = releaseActiveJob(jobKey, jobId, token, activeKey, stalledKey)
if released then return released end
local cap = eventsCap(metaKey)
local due = now + delay
redis.call("HSET", jobKey, "failedReason", reason, "stacktrace", stacktrace, "delay", delay)
if ARGV[8] ~= "0" then redis.call("HINCRBY", jobKey, "atm", 1) end
-- Sub-millisecond tiebreak (0–4095) within the due millisecond, from the started-attempts count.
local seq = (tonumber(redis.call("HGET", jobKey, "ats")) or 0) % 4096
redis.call("ZADD", delayedKey, due * 4096 + seq, jobId)
emit(eventsKey, cap, "event", "delayed", "jobId", jobId, "delay", due)
if not redis.call("HGET", metaKey, "paused") then
  local first = redis.call("ZRANGE", delayedKey, 0, 0, "WITHSCORES")
  redis.call("ZADD", markerKey, math.floor(tonumber(first[2]) / 4096), "1")
end
return 0

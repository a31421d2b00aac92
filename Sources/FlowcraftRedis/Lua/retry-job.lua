--- retryJob: puts a failed active job straight back to `wait`/`prioritized` for another attempt
--- (no backoff). Called through QueueScript.RetryJobCall.
--- KEYS: the fetch keys (wait, active, prioritized, delayed, events, meta, pc, marker, stalled).
--- ARGV: 1 key prefix, 2 job id, 3 lock token ("0" = skip the check), 4 failedReason, 5 stacktrace JSON.
--- Returns 0, or -1 missing job, -2 missing lock, -3 not active, -6 token mismatch.
--@include "events.lua"
--@include "push-ready.lua"
--@include "release-active-job.lua"
if #ARGV < 5 then return redis.error_reply("ERR flowcraft retryJob: expected at least 5 arguments") end
local prefix, jobId, token, reason, stacktrace = ARGV[1], ARGV[2], ARGV[3], ARGV[4], ARGV[5]
if jobId == "" then return redis.error_reply("ERR flowcraft retryJob: missing job id") end
local k = fetchKeys(1)
local jobKey = prefix .. jobId
local released = releaseActiveJob(jobKey, jobId, token, k.active, k.stalled)
if released then return released end
local cap = eventsCap(k.meta)
redis.call("HSET", jobKey, "failedReason", reason, "stacktrace", stacktrace)
redis.call("HINCRBY", jobKey, "atm", 1)
local priority = tonumber(redis.call("HGET", jobKey, "priority")) or 0
pushReady(k, jobKey, jobId, priority, false)
if not redis.call("HGET", k.meta, "paused") then redis.call("ZADD", k.marker, 0, "0") end
emit(k.events, cap, "event", "waiting", "jobId", jobId, "prev", "active")
return 0

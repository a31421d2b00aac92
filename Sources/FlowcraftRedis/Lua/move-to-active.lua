--- moveToActive: promotes due delayed jobs, then takes the next job (plain before prioritized)
--- into `active` under a lock. Called through QueueScript.MoveToActiveCall.
--- KEYS: the fetch keys: 1 wait, 2 active, 3 prioritized, 4 delayed, 5 events, 6 meta, 7 pc, 8 marker,
--- 9 stalled.
--- ARGV: 1 key prefix, 2 lock token, 3 lock duration ms, 4 now ms, 5 worker name.
--- Returns `{jobId, {field, value, …}, 0}` or `{"", {}, nextDelayedDueMs}` (0 = none delayed).
--@include "prelude.lua"
--@include "integer-checks.lua"
--@include "fetch-job.lua"
if #ARGV < 5 then return redis.error_reply("ERR flowcraft moveToActive: expected at least 5 arguments") end
local prefix, token = ARGV[1], ARGV[2]
local lockDuration, now = tonumber(ARGV[3]), tonumber(ARGV[4])
if token == "" or not isInteger(lockDuration) or lockDuration <= 0 or not isInteger(now) then
  return redis.error_reply("ERR flowcraft moveToActive: invalid token, lock duration or time")
end
--@include "read-meta.lua"
local id, fields = fetchJob(prefix, token, ARGV[3], now, ARGV[4], ARGV[5], cap, paused, limit)
if id then return { id, fields, 0 } end
--@include "next-delayed-due.lua"
return { "", {}, nextDue }

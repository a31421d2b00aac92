--- addJob: adds one job — standard (`wait`), prioritized or delayed — with custom-id and
--- deduplication handling. Called through QueueScript.AddJobCall, which fills these by name.
--- KEYS: 1 wait, 2 meta, 3 id, 4 delayed, 5 prioritized, 6 pc, 7 marker, 8 events, 9 active.
--- ARGV: 1 key prefix (`bull:<queue>:`), 2 custom id or "", 3 name, 4 data JSON, 5 opts JSON,
--- 6 timestamp ms, 7 delay ms, 8 priority, 9 lifo ("1"/"0"), 10 default events cap, 11 dedup id or "",
--- 12 dedup ttl ms (0 = none).
--- Returns the job id (the existing one for duplicates).
--@include "prelude.lua"
--@include "numbers.lua"
--@include "add-validated-job.lua"
--@include "add-job-arguments.lua"
if #ARGV < 12 then return redis.error_reply("ERR flowcraft addJob: expected at least 12 arguments") end
return addJobFromArguments(KEYS, ARGV)

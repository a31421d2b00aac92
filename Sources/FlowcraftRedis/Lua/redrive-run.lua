--- flowcraftRedriveRun: a run failed by a node continues (see RunRedriveScript). Called through
--- RunRedriveScript.Call.
--- KEYS: 1 state, 2 run, 3 done, 4 pending, 5 awaiting, 6 fan-in, 7 join-lock, 8 active-runs index,
--- 9 final status, 10 parked pending, 11 parked awaiting, 12 the queue's completed set, 13 its failed
--- set; then the keys of the old child runs of the subflow nodes that run again and of their jobs
--- (deleted: their nodes start new children, whose jobs have the same ids).
--- ARGV: 1 expected blueprint version or "", 2 now (ms), 3 U awaiting entries to take out of
--- `awaiting` (subflow nodes whose child was cancelled with the run: they run again), 4 J job ids of
--- the old children (taken out of the completed and failed sets), 5 the JSON array of the nodes that
--- run again (the history's `redrive` event, decided in Swift); then U entries, J job ids.
--- Returns `{code, detail}`: `redriven` (detail: the run's redrive count; then the failed entry),
--- `unknown` (no such run), `refused` (not failed: its status), `version` (the run's blueprint
--- version is not the expected one: the run's version) or `nothing` (no node recorded its failure).
--@include "prelude.lua"
local stateKey, runKey, doneKey, pendingKey = KEYS[1], KEYS[2], KEYS[3], KEYS[4]
local awaitingKey, fanInKey, joinKey, activeKey, statusKey = KEYS[5], KEYS[6], KEYS[7], KEYS[8], KEYS[9]
local parkedPending, parkedAwaiting = KEYS[10], KEYS[11]
local expectedVersion, nowText = ARGV[1], ARGV[2]
local unparked, jobs = tonumber(ARGV[3]), tonumber(ARGV[4])
local redrivenNodes = ARGV[5]
if not tonumber(nowText) or not unparked or not jobs or #ARGV ~= 5 + unparked + jobs then
  return redis.error_reply("ERR flowcraft redriveRun: invalid arguments")
end
local runId = string.sub(stateKey, {{RUN_ID_START}})

local fields = rcall("HMGET", runKey, "status", "blueprintVersion", "failedEntry")
local status, version, failedEntry = fields[1], fields[2] or "", fields[3]
if not status then return { "unknown", "" } end
-- Two concurrent redrives: the first makes the run `running`, the second is refused here.
if status ~= "failed" then return { "refused", status } end
if version ~= expectedVersion then return { "version", version } end
if not failedEntry then return { "nothing", "" } end

-- The old child runs of subflow nodes that run again: their nodes start new ones.
for i = 14, #KEYS do rcall("DEL", KEYS[i]) end
for i = 6 + unparked, 5 + unparked + jobs do
  rcall("ZREM", KEYS[12], ARGV[i])
  rcall("ZREM", KEYS[13], ARGV[i])
end
-- The work still pending and the paused entries come back; the failed node runs again.
rcall("DEL", pendingKey, awaitingKey)
if rcall("EXISTS", parkedPending) == 1 then rcall("RENAME", parkedPending, pendingKey) end
if rcall("EXISTS", parkedAwaiting) == 1 then rcall("RENAME", parkedAwaiting, awaitingKey) end
for i = 6, 5 + unparked do rcall("SREM", awaitingKey, ARGV[i]) end
rcall("SREM", doneKey, failedEntry)
rcall("SADD", pendingKey, failedEntry)
local count = rcall("HINCRBY", runKey, "redriveCount", "1")
rcall("HSET", runKey, "status", "running", "redrivenAt", nowText)
rcall("HDEL", runKey, "finishedAt", "failedEntry", "failedReason")
-- The final status is written again when the run ends.
rcall("DEL", statusKey)
for _, key in ipairs({ stateKey, runKey, doneKey, pendingKey, awaitingKey, fanInKey, joinKey }) do rcall("PERSIST", key) end
rcall("ZADD", activeKey, nowText, runId)
-- The run's history (when recorded) gets a `redrive` event naming the nodes that run again, lives
-- as long as the run again, and the run leaves the index of failed runs.
local historyKey = "{{HISTORY_KEY_PREFIX}}" .. runId
if rcall("EXISTS", historyKey) == 1 then
  rcall("RPUSH", historyKey, '{"k":"redrive","t":' .. nowText .. ',"n":' .. redrivenNodes .. '}')
  rcall("PERSIST", historyKey)
  rcall("ZREM", "{{HISTORY_INDEX_PREFIX}}status:" .. string.sub(activeKey, {{QUEUE_NAME_START}}) .. ":failed", runId)
end
return { "redriven", count, failedEntry }

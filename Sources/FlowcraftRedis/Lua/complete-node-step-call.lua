--- The FinishStep form of complete-node.lua: the call. The commit's KEYS and ARGV follow the finish
--- script's own; the queue keys the finish script already has (and its meta read) serve the
--- successors' adds; the job's returnvalue ends with the commit's code and the run's status.
--- A WRONGTYPE error — a run key someone changed by hand; Lua keeps the writes made before it —
--- ends the run `failed` in the same call, naming the wrong-typed keys (abort-commit-function.lua, on the
--- error path only), and refuses the step, so the worker fails the job. Retried, such a call used to
--- find its entry already moved to done and complete the job as a duplicate: the run stayed
--- `running` for ever. Any other error is raised as before.
-- (The finish call's own time: a retried call commits with the time it runs at.)
local ok, reply = pcall(commitNode, {{FINISH_ARGUMENT_COUNT}}, {{FINISH_KEY_COUNT}}, { wait = KEYS[1], active = KEYS[2], prioritized = KEYS[3], delayed = KEYS[4],
  events = KEYS[5], meta = KEYS[6], pc = KEYS[7], marker = KEYS[8], id = prefix .. "id",
  cap = cap, paused = paused, limit = limit }, ARGV[4])
if ok then
  attached = reply
else
  local message = type(reply) == "table" and reply.err or tostring(reply)
  if not string.find(message, "WRONGTYPE", 1, true) then error(reply) end
--@include "abort-run-function.lua"
--@include "abort-commit-function.lua"
  local _, reason = abortCommit({{FINISH_ARGUMENT_COUNT}}, {{FINISH_KEY_COUNT}}, ARGV[4], message)
  attached = redis.error_reply("ERR flowcraft completeNode: run ended: " .. reason)
end
if not attached.err then valueSuffix = attached[1] .. '","run":"' .. attached[2] .. '"}' end

--- flowcraftCompleteNode: every change of a distributed run's progress (start, commit of a node's
--- completion, parking, failing, cancelling) as a script of its own; commit-node.lua holds the body
--- and documents KEYS and ARGV (filled by NodeCompletionScript.Call). A node job's own commit runs as
--- a FinishStep inside move-to-finished.lua instead (complete-node-step-*.lua).
--- A WRONGTYPE error — a run key someone changed by hand; Lua keeps the writes made before it — ends
--- the run `failed` in the same call, naming the wrong-typed keys (abort-commit-function.lua, on the
--- error path only), and answers an error starting "ERR flowcraft completeNode: run ended: " with the
--- reason (NodeCompletionScript.runEndedError): a resume, reconcile or cancel that met it used to
--- leave the run `awaiting` or `running` with part of the change written. A start that meets one
--- (no run yet) writes nothing more and names the keys. Any other error is raised as before.
--@include "prelude.lua"
--@include "integer-argument.lua"
--@include "add-validated-job.lua"
--@include "commit-node.lua"
local ok, reply = pcall(commitNode, 0, 0, nil)
if ok then return reply end
local message = type(reply) == "table" and reply.err or tostring(reply)
if not string.find(message, "WRONGTYPE", 1, true) then error(reply) end
--@include "abort-run-function.lua"
--@include "abort-commit-function.lua"
local aborted, reason = abortCommit(0, 0, ARGV[3], message)
if aborted.err then return aborted end
-- A start (no run yet) wrote nothing more: the keys are named, no run ended.
if aborted[1] == "unknown" then return redis.error_reply("ERR flowcraft completeNode: " .. reason) end
return redis.error_reply("ERR flowcraft completeNode: run ended: " .. reason)

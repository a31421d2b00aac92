--- `abortCommit(a, k, nowText, message)`: a commit (commit-node.lua's arguments from ARGV[a + 1], its
--- run keys from KEYS[k + 1]) met the WRONGTYPE error `message` — a run key someone changed by hand;
--- Lua keeps the writes made before it — so the run is ended `failed` with a reason naming the
--- committed node and every wrong-typed key (abortRun, on the error path only). Used by
--- complete-node.lua and its FinishStep form. Needs abort-run-function.lua.
--- Returns abortRun's reply (`{code, status, reason}` or an error reply) and the reason to report
--- (abortRun's, or `message` when it gave none).
local function abortCommit(a, k, nowText, message)
  local instance = ARGV[a + 2]
  local nodeId = string.match(instance, "^(.*)#%d+$") or instance
  local runId = string.sub(KEYS[k + 1], {{RUN_ID_START}})
  local subject = "run '" .. string.sub(runId, 1, 200) .. "'"
  if nodeId ~= "" then subject = subject .. ": node '" .. nodeId .. "' could not commit" end
  local aborted = abortRun({ KEYS[k + 1], KEYS[k + 2], KEYS[k + 3], KEYS[k + 4], KEYS[k + 5], KEYS[k + 6], KEYS[k + 7], KEYS[k + 8], KEYS[k + 9] },
    { subject, nodeId, nowText, ARGV[a + 4], ARGV[a + 5], ARGV[a + 6], ARGV[a + 7], ARGV[a + 18], "1" })
  return aborted, (not aborted.err and aborted[3]) or message
end

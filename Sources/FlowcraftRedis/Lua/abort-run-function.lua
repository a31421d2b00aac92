--- `abortRun(KEYS, ARGV)`: ends a run `failed` when one of its jobs fails for good before its node
--- could commit — the body of abort-run.lua (RunAbortScript), and of a commit's error path
--- (abort-commit-function.lua: a commit that met a run key of the wrong Redis type). Needs
--- prelude.lua and add-validated-job.lua.
--- KEYS: 1 state, 2 run, 3 done, 4 pending, 5 awaiting, 6 fan-in, 7 join-lock, 8 active-runs index,
--- 9 final status (DistributedKeys.scriptKeys).
--- ARGV: 1 reason, 2 node id, 3 now (ms), 4 state TTL seconds (0 = keep), 5 queue key prefix,
--- 6 job name, 7 blueprint id, 8 the run history's cap of events per run ("0" records none),
--- 9 (optional) "1": name in the reason every run key and index that holds another Redis type than
--- the engine writes (about 17 TYPE calls: for the error path only).
--- Returns `{code, status, reason}`: `failed` (the run was failed now), `finished` (it had ended: its
--- status) or `unknown` (no such run; nothing written); reason as written (with the keys named).
local function abortRun(KEYS, ARGV)
local stateKey, runKey, doneKey, pendingKey = KEYS[1], KEYS[2], KEYS[3], KEYS[4]
local awaitingKey, fanInKey, joinKey, activeKey, statusKey = KEYS[5], KEYS[6], KEYS[7], KEYS[8], KEYS[9]
local reason, nodeId, nowText, ttlText, prefix, jobName, blueprintId = ARGV[1], ARGV[2], ARGV[3], ARGV[4], ARGV[5], ARGV[6], ARGV[7]
local historyCap = ARGV[8]
local ttl = tonumber(ttlText)
if not ttl or not tonumber(nowText) or not string.find(historyCap or "", "^%d+$") then return redis.error_reply("ERR flowcraft abortRun: invalid arguments") end
local runId = string.sub(stateKey, {{RUN_ID_START}})
local function typeOf(key) return rcall("TYPE", key)["ok"] end
if ARGV[9] == "1" then
  -- Error path only: name the run's keys that hold another type than the engine writes.
  local queue = string.sub(activeKey, {{QUEUE_NAME_START}})
  local expected = { { stateKey, "hash" }, { runKey, "hash" }, { doneKey, "set" }, { pendingKey, "set" },
    { awaitingKey, "set" }, { fanInKey, "set" }, { joinKey, "hash" }, { activeKey, "zset" }, { statusKey, "string" },
    { "{{HISTORY_KEY_PREFIX}}" .. runId, "list" }, { "{{HISTORY_ATTEMPTS_KEY_PREFIX}}" .. runId, "hash" },
    { "{{HISTORY_INDEX_PREFIX}}started:" .. queue, "zset" }, { "{{HISTORY_INDEX_PREFIX}}blueprint:" .. queue .. ":" .. blueprintId, "zset" } }
  for _, s in ipairs({ "completed", "failed", "cancelled", "waiting" }) do
    expected[#expected + 1] = { "{{HISTORY_INDEX_PREFIX}}status:" .. queue .. ":" .. s, "zset" }
  end
  local wrong = {}
  for _, e in ipairs(expected) do
    local t = typeOf(e[1])
    if t ~= "none" and t ~= e[2] then wrong[#wrong + 1] = "'" .. e[1] .. "' (" .. t .. ", not " .. e[2] .. ")" end
  end
  if #wrong > 0 then reason = reason .. ": " .. table.concat(wrong, ", ") .. " holds the wrong Redis type" end
end
local final = { completed = true, failed = true, cancelled = true }

local runType = typeOf(runKey)
local parent = nil
if runType == "hash" then
  local status = rcall("HGET", runKey, "status")
  if status and final[status] then return { "finished", status, reason } end
  parent = rcall("HGET", runKey, "parent")
elseif runType == "none" then
  -- A run a client started by seeding its state has no run hash before its first commit.
  if rcall("EXISTS", stateKey, pendingKey) == 0 then return { "unknown", "" } end
else
  rcall("DEL", runKey)
end
if typeOf(statusKey) == "string" then
  local ok, decoded = pcall(cjson.decode, rcall("GET", statusKey))
  if ok and type(decoded) == "table" and final[decoded.status] then return { "finished", decoded.status, reason } end
end

rcall("HSET", runKey, "status", "failed", "finishedAt", nowText, "failedReason", reason)
if runType ~= "hash" then rcall("HSET", runKey, "blueprintId", blueprintId, "startedAt", nowText) end
local statusJSON = '{"status":"failed","reason":' .. cjson.encode(reason) .. ',"nodeId":' .. cjson.encode(nodeId) .. '}'
if ttl > 0 then rcall("SET", statusKey, statusJSON, "EX", ttlText) else rcall("SET", statusKey, statusJSON) end
if typeOf(activeKey) == "zset" then rcall("ZREM", activeKey, runId) end
-- No longer among the queue's waiting runs (an awaiting run failed or cancelled by a client).
local waitingIndex = "{{HISTORY_INDEX_PREFIX}}status:" .. string.sub(activeKey, {{QUEUE_NAME_START}}) .. ":waiting"
if typeOf(waitingIndex) == "zset" then rcall("ZREM", waitingIndex, runId) end
rcall("DEL", pendingKey, awaitingKey, fanInKey, joinKey)
-- The run's end in its history and in the index of failed runs (as the completion script records it).
if historyCap ~= "0" then
  local historyKey = "{{HISTORY_KEY_PREFIX}}" .. runId
  if typeOf(historyKey) ~= "list" then rcall("DEL", historyKey) end
  rcall("RPUSH", historyKey, '{"k":"end","t":' .. nowText .. ',"s":"failed","fn":' .. cjson.encode(nodeId)
    .. ',"e":' .. cjson.encode(reason) .. '}')
  local started = rcall("HGET", runKey, "startedAt")
  local index = "{{HISTORY_INDEX_PREFIX}}status:" .. string.sub(activeKey, {{QUEUE_NAME_START}}) .. ":failed"
  local indexType = typeOf(index)
  if started and (indexType == "zset" or indexType == "none") then rcall("ZADD", index, started, runId) end
  if ttl > 0 then
    rcall("EXPIRE", historyKey, ttlText)
    rcall("EXPIRE", "{{HISTORY_ATTEMPTS_KEY_PREFIX}}" .. runId, ttlText)
  end
end
if ttl > 0 then
  rcall("EXPIRE", stateKey, ttlText)
  rcall("EXPIRE", runKey, ttlText)
  rcall("EXPIRE", doneKey, ttlText)
end

-- A child run adds a job for its parent's subflow node, as the completion script does when a run ends.
if parent then
  local ok, link = pcall(cjson.decode, parent)
  if ok and type(link) == "table" and type(link.jobId) == "string" and type(link.job) == "string" then
    local jobId = link.jobId .. ".child-failed." .. rcall("HINCRBY", runKey, "notifications", "1")
    if not string.find(jobId, ":", 1, true) then
      local k = { wait = prefix .. "wait", meta = prefix .. "meta", id = prefix .. "id", delayed = prefix .. "delayed",
        prioritized = prefix .. "prioritized", pc = prefix .. "pc", marker = prefix .. "marker", events = prefix .. "events",
        active = prefix .. "active" }
      addValidatedJob(k, prefix, jobId, jobName, link.job, '{"jobId":' .. cjson.encode(jobId) .. '}',
        nowText, 0, "0", 0, "0", false, "{{DEFAULT_EVENTS_CAP}}", "", 0)
    end
  end
end
return { "failed", "failed", reason }
end

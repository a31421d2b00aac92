--- `commitNode(a, k, queueKeys, now)`: the completion script's body as a function of where its
--- arguments start (ARGV[a + 1]), where its keys start (KEYS[k + 1]), of the queue's add keys when the
--- caller has them (with the meta hash's `cap`, `paused` and `limit` already read) and of the time
--- when the caller has its own, so that it can run as a FinishStep. Filled by NodeCompletionScript.Call.
--- KEYS: 1 state hash, 2 run hash, 3 done set, 4 pending set, 5 awaiting set, 6 fan-in set,
--- 7 join-lock hash, 8 active-runs index, 9 final status key.
--- ARGV: 1 mode, 2 the committed `node#iteration`, 3 now (ms), 4 state TTL seconds (0 = keep),
--- 5 queue key prefix, 6 job name, 7 blueprint id, 8 blueprint version or "", 9 default events cap,
--- 10 failure reason (in `start` mode: the parent link JSON of a child run, or ""), 11 D delta pairs,
--- 12 X deleted keys, 13 S start entries, 14 R arrival records, 15 attempts made by a failed node,
--- 16 the largest final-status payload in bytes (0 = no limit), 17 the largest run context in bytes
--- (0 = no limit), 18 the history's cap of events per run ("0" records no history), 19 H history
--- entries; then D×(field, JSON value), X fields, S entries, R×10 record fields (ArrivalRecord) and H
--- history entries (RedisHistoryEntry JSON, appended to the run's history list when the change
--- commits).
--- Returns `{code, runStatus, enqueued[, died, stalled[, parked[, limitFailure]]]}`
--- (NodeCompletionScript.Outcome; limitFailure: the run-context limit's message when the change failed
--- the run over it, for the node's `node:error`).
local function commitNode(a, k, queueKeys, nowOverride)
local mode, instance, now, ttl = ARGV[a + 1], ARGV[a + 2], tonumber(nowOverride or ARGV[a + 3]), tonumber(ARGV[a + 4])
local prefix, jobName, blueprintId, blueprintVersion = ARGV[a + 5], ARGV[a + 6], ARGV[a + 7], ARGV[a + 8]
local eventsCap, reason = ARGV[a + 9], ARGV[a + 10]
local nDelta, nDeleted, nStart, nRecords =
  integerArgument(ARGV[a + 11]), integerArgument(ARGV[a + 12]), integerArgument(ARGV[a + 13]), integerArgument(ARGV[a + 14])
-- Attempts matter only to a failure.
local attempts = 0
if mode == "fail" then attempts = tonumber(ARGV[a + 15]) end
-- The largest final-status payload (bytes; 0 = no limit).
local statusLimit = integerArgument(ARGV[a + 16])
-- The largest run context (bytes of keys and values; 0 = no limit), counted in the run hash's
-- `contextBytes`.
local contextLimit = integerArgument(ARGV[a + 17])
-- Run history: the stream's cap ("0": none) and the entries this change appends.
local historyCap, nHistory = ARGV[a + 18], integerArgument(ARGV[a + 19])
-- Numbers go to redis.call as text: Redis formats Lua number arguments with %.17g, which costs more
-- than many a command.
local nowText, ttlText = nowOverride or ARGV[a + 3], ARGV[a + 4]
if not now or not ttl or not nDelta or not nDeleted or not nStart or not nRecords or not attempts or not statusLimit
  or not contextLimit or not nHistory or not string.find(historyCap, "^%d+$")
  or (eventsCap ~= "{{DEFAULT_EVENTS_CAP}}" and not (tonumber(eventsCap) and tonumber(eventsCap) % 1 == 0)) then
  return redis.error_reply("ERR flowcraft completeNode: invalid arguments")
end
if #ARGV ~= a + 19 + nDelta * 2 + nDeleted + nStart + nRecords * 10 + nHistory then
  return redis.error_reply("ERR flowcraft completeNode: argument count does not match the header")
end

local stateKey, runKey, doneKey, pendingKey = KEYS[k + 1], KEYS[k + 2], KEYS[k + 3], KEYS[k + 4]
local awaitingKey, fanInKey, joinKey, activeKey, statusKey = KEYS[k + 5], KEYS[k + 6], KEYS[k + 7], KEYS[k + 8], KEYS[k + 9]
local runId = string.sub(stateKey, {{RUN_ID_START}})

-- The cascade of a parent's end to its subflow child: stale, and nothing changes, when the parent
-- runs again (a redrive made it `running` and started this child anew under the same id). A child
-- whose keys are gone (a redrive deleted the old child and the new one has not started yet) has no
-- link to read: like any change of a run without keys, it answers `gone` below and creates nothing.
if mode == "cancel-child" then
  local link = rcall("HGET", runKey, "parent")
  local ok, decoded = false, nil
  if link then ok, decoded = pcall(cjson.decode, link) end
  local parentRun = ok and type(decoded) == "table" and decoded["runId"]
  local parentStatus = type(parentRun) == "string" and rcall("HGET", "{{RUN_KEY_PREFIX}}" .. parentRun, "status")
  if parentStatus == "running" or parentStatus == "awaiting" then
    return { "parent-running", rcall("HGET", runKey, "status") or "running", 0 }
  end
  mode = "cancel"
end

-- The delta pairs, deleted fields and start entries are read in place: ARGV[first … last].
local deltaFirst, deltaLast = a + 20, a + 19 + nDelta * 2
local deletedFirst, deletedLast = deltaLast + 1, deltaLast + nDeleted
local startsFirst, startsLast = deletedLast + 1, deletedLast + nStart
local pos = startsLast + 1
local historyFirst, historyLast = pos + nRecords * 10, pos + nRecords * 10 + nHistory - 1
-- A job that found no run passes the start entries and leads its history with the run's start
-- event; only the commit that creates the run keeps that event (two start jobs of a client-started
-- run may both have found none).
local function dropLeadingStart()
  if nStart > 0 and nHistory > 0 and string.find(ARGV[historyFirst], '"k":"start"', 1, true) then
    historyFirst = historyFirst + 1
  end
end
local recording = historyCap ~= "0"
local historyKey = recording and "{{HISTORY_KEY_PREFIX}}" .. runId
local direct, byFrom = {}, nil
for i = 1, nRecords do
  -- A record is the position of its first argument (from), read in place: target +1, source +2,
  -- live +3, required +4, join +5, delay +6, job id +7, data +8, opts +9.
  local r = pos
  pos = pos + 10
  -- What the queue's add would reject, rejected before the first write.
  local delay = ARGV[r + 6]
  if delay ~= "0" then
    local delayMs = integerArgument(delay)
    if not (delayMs and delayMs % 1 == 0) or delayMs < 0 then
      return redis.error_reply("ERR flowcraft completeNode: invalid delay or job id for '" .. ARGV[r + 1] .. "'")
    end
    -- The delay as the job hash stores it: plain decimal digits.
    if not string.find(delay, "^%d+$") then ARGV[r + 6] = string.format("%d", delayMs) end
  end
  if string.find(ARGV[r + 7], ":", 1, true) then
    return redis.error_reply("ERR flowcraft completeNode: invalid delay or job id for '" .. ARGV[r + 1] .. "'")
  end
  local from = ARGV[r]
  if from == "" then
    direct[#direct + 1] = r
  else
    if not byFrom then byFrom = {} end
    local list = byFrom[from]
    if not list then list = {}; byFrom[from] = list end
    list[#list + 1] = r
  end
end

-- Committing a completion (the hot path) does not read the run's status first: the pending set exists
-- only while the run is running or awaiting (finishRun deletes it), so moving the entry from pending
-- to done succeeds only for a live run. The status is read when the move fails, when a `wait` was
-- parked (settle must know whether the run was awaiting), and by the other modes.
-- `advance` is `complete` for a node that is never parked (not a `wait` or `subflow` node): it is
-- not in the awaiting set, and while it is pending and not parked the run cannot be awaiting.
local hot = mode == "advance" or mode == "complete" or mode == "fail"
local moved = hot and rcall("SMOVE", pendingKey, doneKey, instance) == 1
local status = nil
if not moved then status = rcall("HGET", runKey, "status") end

-- Appends history entries (ARGV[first … last], or `entry`) to the run's history list. Past the cap by
-- a tenth of it (at most 100 entries, so that trimming is rare) the oldest are dropped down to the cap
-- and counted in the run hash's `historyDropped` (readers number events from it).
local function pushHistory(first, last, entry)
  local length
  if entry then
    length = rcall("RPUSH", historyKey, entry)
  elseif last >= first then
    length = rcall("RPUSH", historyKey, unpack(ARGV, first, last))
  else
    return
  end
  local keep = tonumber(historyCap)
  if length > keep + math.min(100, math.floor(keep / 10)) then
    local drop = string.format("%d", length - keep)
    rcall("LTRIM", historyKey, drop, "-1")
    rcall("HINCRBY", runKey, "historyDropped", drop)
  end
end

-- Appends this change's history entries (with the change, never without it).
local function recordHistory()
  if recording then pushHistory(historyFirst, historyLast) end
end

local function applyDelta()
  -- In chunks: Lua's unpack fails past a few thousand values (a scatter of thousands of items).
  for i = deltaFirst, deltaLast, 1000 do
    rcall("HSET", stateKey, unpack(ARGV, i, math.min(i + 999, deltaLast)))
  end
  for i = deletedFirst, deletedLast, 1000 do
    rcall("HDEL", stateKey, unpack(ARGV, i, math.min(i + 999, deletedLast)))
  end
end

-- With a run context limit: the bytes the delta adds to the run's context (a new field counts its
-- name; a rewritten one replaces its old value's size; a deleted one gives its name and value back),
-- added to the run hash's `contextBytes`. Returns the new total, and false when `check` is set and the
-- total would pass the limit (the counter is then left as it was). Read before any write of the delta.
local function countContext(check)
  local delta = 0
  for i = deltaFirst, deltaLast, 2 do
    local old = rcall("HSTRLEN", stateKey, ARGV[i])
    if old == 0 then delta = delta + #ARGV[i] end
    delta = delta + #ARGV[i + 1] - old
  end
  for i = deletedFirst, deletedLast do
    local old = rcall("HSTRLEN", stateKey, ARGV[i])
    if old > 0 then delta = delta - old - #ARGV[i] end
  end
  if delta == 0 then return 0, true end
  local total = rcall("HINCRBY", runKey, "contextBytes", string.format("%d", delta))
  if check and delta > 0 and total > contextLimit then
    rcall("HINCRBY", runKey, "contextBytes", string.format("%d", -delta))
    return total, false
  end
  return total, true
end

local enqueued = 0
-- Targets that died (every arrival dead) and, when the run completes, joins left waiting with a live
-- arrival: both only feed events.
-- (Tables made on first use: most commits need none of them.) `parked` lists the awaiting entries
-- when a completion leaves the run awaiting (for `workflow:pause`).
local died, stalled, enqueuedHere, parked = nil, nil, nil, nil
-- The queue's add keys (wait, meta, id, delayed, prioritized, pc, marker, events, active), given or
-- made on the first add; the add logic also keeps its per-call memo (meta read, marker set) in it.
local queueK = queueKeys

local liveUnit = 1048576

-- Applies arrival records, following dead targets through the records listed under them (appended
-- to `work`, the records' own list), and enqueues every target whose arrivals fire it.
local function applyArrivals(work)
  local head = 1
  while head <= #work do
    local r = work[head]
    head = head + 1
    local target, source, live, join = ARGV[r + 1], ARGV[r + 2], ARGV[r + 3] == "1", ARGV[r + 5]
    local required = integerArgument(ARGV[r + 4]) or 1
    -- Whether this arrival enqueues its target; joins fire once by construction, direct and loop
    -- re-entry enqueues check the done set.
    local fire, checkDone = false, false
    if source == "" or (join == "each" and live) then
      -- Direct enqueues, and loop re-entry points, which run on every live arrival.
      fire, checkDone = true, true
    elseif required == 1 and join ~= "each" and join ~= "once" then
      -- A single predecessor arrives once (its completion commits once): no join bookkeeping.
      -- ("once": a shared fallback's arrival, which may come again: deduplicated as a join's.)
      if live then
        fire = true
      else
        if not (enqueuedHere and enqueuedHere[target]) then
          if not died then died = {} end
          died[#died + 1] = target
        end
        local next = byFrom and byFrom[target]
        if next then for i = 1, #next do work[#work + 1] = next[i] end end
      end
    elseif rcall("SADD", fanInKey, target .. "<" .. source) == 1 then
      -- One counter per join: arrivals in the low 20 bits, live arrivals above them.
      local increment = "1"
      if live then increment = "1048577" end -- 1 + liveUnit
      local counter = rcall("HINCRBY", joinKey, target, increment)
      local arrived = counter % liveUnit
      local liveArrived = math.floor(counter / liveUnit)
      local dies = false
      if join == "any" then
        fire = live and rcall("HSETNX", joinKey, target .. ":fired", "1") == 1
        dies = arrived == required and liveArrived == 0
      elseif arrived == required then
        if liveArrived > 0 then fire = true else dies = true end
      end
      if dies then
        if not (enqueuedHere and enqueuedHere[target]) then
          if not died then died = {} end
          died[#died + 1] = target
        end
        local next = byFrom and byFrom[target]
        if next then for i = 1, #next do work[#work + 1] = next[i] end end
      end
    end
    -- (Firing and dying exclude each other: a fired target has a live arrival.)
    if fire and not (checkDone and rcall("SISMEMBER", doneKey, target) == 1)
      and rcall("SADD", pendingKey, target) == 1 then
      if not queueK then
        queueK = { wait = prefix .. "wait", meta = prefix .. "meta", id = prefix .. "id", delayed = prefix .. "delayed",
          prioritized = prefix .. "prioritized", pc = prefix .. "pc", marker = prefix .. "marker",
          events = prefix .. "events", active = prefix .. "active" }
      end
      -- A plain job (priority 0, FIFO, no dedup) with the arguments checked above.
      local delay = ARGV[r + 6]
      addValidatedJob(queueK, prefix, ARGV[r + 7], jobName, ARGV[r + 8], ARGV[r + 9], nowText,
        integerArgument(delay), delay, 0, "0", false, eventsCap, "", 0)
      enqueued = enqueued + 1
      if not enqueuedHere then enqueuedHere = {} end
      enqueuedHere[target] = true
    end
  end
end

-- What a run's end needs (the final context, the parent's notification, finishing), made only when a
-- run ends or settles as awaiting: every function a script defines is a closure created by each call.
local function runEndHelpers()
  -- The run's status before this change (read unless a hot-path move succeeded: never `awaiting` then).
  local wasAwaiting = status == "awaiting"
  -- The final context as a JSON object. Values are JSON text; plain strings written by a client's HSET
  -- are encoded as strings.
  -- Above the status limit (its approximate JSON size: keys, values, quotes and separators) the
  -- payload is a marker; the full context stays in the state hash for the state TTL.
  local function contextJSON()
    local fields = rcall("HGETALL", stateKey)
    if statusLimit > 0 then
      local bytes = 2
      for i = 1, #fields, 2 do bytes = bytes + #fields[i] + #fields[i + 1] + 4 end
      if bytes > statusLimit then return '{"truncated":true,"bytes":' .. string.format("%d", bytes) .. '}' end
    end
    local parts = {}
    for i = 1, #fields, 2 do
      -- The engines' bookkeeping (ContextKeys.reservedPrefix) stays out of the result.
      if string.sub(fields[i], 1, {{RESERVED_CONTEXT_PREFIX_LENGTH}}) ~= "{{RESERVED_CONTEXT_PREFIX}}" then
        local raw = fields[i + 1]
        local ok, decoded = pcall(cjson.decode, raw)
        local text = raw
        if not ok or (type(decoded) == "number" and not string.match(raw, "^%s*%-?%d+%.?%d*[eE]?[%+%-]?%d*%s*$")) then
          text = cjson.encode(raw)
        end
        parts[#parts + 1] = cjson.encode(fields[i]) .. ":" .. text
      end
    end
    return "{" .. table.concat(parts, ",") .. "}"
  end

  -- A child run adds a job for its parent's subflow node (the link stored at its start).
  local function notifyParent(kind)
    local parent = rcall("HGET", runKey, "parent")
    if not parent then return end
    local ok, link = pcall(cjson.decode, parent)
    if not ok or type(link) ~= "table" or type(link.jobId) ~= "string" or type(link.job) ~= "string" then return end
    -- Unique per notification (a run can pause, be resumed and pause again without a commit).
    local jobId = link.jobId .. ".child-" .. kind .. "." .. rcall("HINCRBY", runKey, "notifications", "1")
    -- A link this engine wrote has no ':' in its job id; a hand-made one is ignored rather than
    -- stopping the script after its writes (the reconciler finds the parent's node).
    if string.find(jobId, ":", 1, true) then return end
    if not queueK then
      queueK = { wait = prefix .. "wait", meta = prefix .. "meta", id = prefix .. "id", delayed = prefix .. "delayed",
        prioritized = prefix .. "prioritized", pc = prefix .. "pc", marker = prefix .. "marker", events = prefix .. "events",
        active = prefix .. "active" }
    end
    addValidatedJob(queueK, prefix, jobId, jobName, link.job, '{"jobId":' .. cjson.encode(jobId) .. '}',
      nowText, 0, "0", 0, "0", false, eventsCap, "", 0)
  end

  -- The run's end in its history (`failedNode` and `reason` may be nil) and in the index of its
  -- final status; the history expires with the run.
  local function recordEnd(status, failedNode, reason)
    local entry = '{"k":"end","t":' .. nowText .. ',"s":"' .. status .. '"'
    if failedNode then entry = entry .. ',"fn":' .. cjson.encode(failedNode) end
    if reason then entry = entry .. ',"e":' .. cjson.encode(reason) end
    pushHistory(0, -1, entry .. "}")
    local started = rcall("HGET", runKey, "startedAt")
    if started then
      rcall("ZADD", "{{HISTORY_INDEX_PREFIX}}status:" .. string.sub(activeKey, {{QUEUE_NAME_START}}) .. ":" .. status, started, runId)
    end
    if ttl > 0 then
      rcall("EXPIRE", historyKey, ttlText)
      rcall("EXPIRE", "{{HISTORY_ATTEMPTS_KEY_PREFIX}}" .. runId, ttlText)
    end
  end

  -- `redrivable`: a node failed the run (`failRun`). What a redrive needs is kept for the state TTL
  -- (WorkflowClient.redrive, RedriveRules): the failed entry, the work still pending and the paused
  -- entries — parked under keys of their own, since a pending set means a live run to every job —
  -- and the join progress.
  local function finishRun(status, statusJSON, failedNode, reason, redrivable)
    notifyParent(status)
    if wasAwaiting then rcall("ZREM", "{{HISTORY_INDEX_PREFIX}}status:" .. string.sub(activeKey, {{QUEUE_NAME_START}}) .. ":waiting", runId) end
    if recording then recordEnd(status, failedNode, reason) end
    rcall("HSET", runKey, "status", status, "finishedAt", nowText)
    if ttl > 0 then
      rcall("SET", statusKey, statusJSON, "EX", ttlText)
    else
      rcall("SET", statusKey, statusJSON)
    end
    rcall("ZREM", activeKey, runId)
    if redrivable then
      rcall("HSET", runKey, "failedEntry", instance)
      local parkedPending, parkedAwaiting = "{{REDRIVE_PENDING_PREFIX}}" .. runId, "{{REDRIVE_AWAITING_PREFIX}}" .. runId
      rcall("DEL", parkedPending, parkedAwaiting)
      if rcall("EXISTS", pendingKey) == 1 then rcall("RENAME", pendingKey, parkedPending) end
      if rcall("EXISTS", awaitingKey) == 1 then rcall("RENAME", awaitingKey, parkedAwaiting) end
      if ttl > 0 then
        rcall("EXPIRE", parkedPending, ttlText)
        rcall("EXPIRE", parkedAwaiting, ttlText)
        rcall("EXPIRE", fanInKey, ttlText)
        rcall("EXPIRE", joinKey, ttlText)
      end
    else
      rcall("DEL", pendingKey, awaitingKey, fanInKey, joinKey)
    end
    if ttl > 0 then
      rcall("EXPIRE", stateKey, ttlText)
      rcall("EXPIRE", runKey, ttlText)
      rcall("EXPIRE", doneKey, ttlText)
    end
  end

  return contextJSON, notifyParent, finishRun
end

local function settle(awaitingCount)
  local pending = rcall("SCARD", pendingKey)
  if pending == 0 then
    local joins = rcall("HGETALL", joinKey)
    for i = 1, #joins, 2 do
      local field = joins[i]
      if string.sub(field, -6) ~= ":fired" and math.floor(tonumber(joins[i + 1]) / liveUnit) > 0
        and rcall("SISMEMBER", doneKey, field) == 0 then
        if not stalled then stalled = {} end
        stalled[#stalled + 1] = field
      end
    end
    local contextJSON, _, finishRun = runEndHelpers()
    if stalled then
      -- A join that can never fire fails the run (decided here, where no work is left). The reason
      -- names the first stuck join and the predecessors that arrived (read from the fan-in set only
      -- in this rare case); readers render the full message from the blueprint.
      table.sort(stalled)
      local join = stalled[1]
      local joinNode = string.match(join, "^(.*)#%d+$") or join
      local arrived = {}
      local marker = join .. "<"
      for _, member in ipairs(rcall("SMEMBERS", fanInKey)) do
        if string.sub(member, 1, #marker) == marker then arrived[#arrived + 1] = string.sub(member, #marker + 1) end
      end
      table.sort(arrived)
      local stuckReason = "[STUCK_JOIN] join '" .. joinNode .. "' can never fire: arrived: " .. table.concat(arrived, ", ")
      local arrivedJSON = "[]"
      if #arrived > 0 then arrivedJSON = cjson.encode(arrived) end
      finishRun("failed", '{"status":"failed","reason":' .. cjson.encode(stuckReason) .. ',"nodeId":' .. cjson.encode(joinNode)
        .. ',"attempts":0,"arrived":' .. arrivedJSON .. ',"blueprintId":' .. cjson.encode(blueprintId)
        .. ',"blueprintVersion":' .. cjson.encode(blueprintVersion) .. ',"payload":' .. contextJSON() .. '}', joinNode, stuckReason)
      return "failed"
    end
    finishRun("completed", '{"status":"completed","payload":' .. contextJSON() .. '}')
    return "completed"
  end
  -- A completion that was never parked and enqueued work leaves the run running: nothing it enqueued
  -- is parked.
  if not (mode == "advance" and enqueued > 0) then
    if awaitingCount == nil then awaitingCount = rcall("SCARD", awaitingKey) end
    if awaitingCount > 0 and awaitingCount >= pending then
      if mode == "complete" or mode == "advance" then parked = rcall("SMEMBERS", awaitingKey) end
      if recording and status ~= "awaiting" then
        -- The pause in the run's history: the waiting nodes (`node#iteration` entries, by node).
        local waiting = parked or rcall("SMEMBERS", awaitingKey)
        local nodes = {}
        for i = 1, #waiting do nodes[i] = string.match(waiting[i], "^(.*)#%d+$") or waiting[i] end
        table.sort(nodes)
        pushHistory(0, -1, '{"k":"pause","t":' .. nowText .. ',"n":' .. cjson.encode(nodes) .. '}')
        -- Listed among the waiting runs (by start time, as the other status indexes) until it runs
        -- again or ends.
        local started = rcall("HGET", runKey, "startedAt")
        if started then rcall("ZADD", "{{HISTORY_INDEX_PREFIX}}status:" .. string.sub(activeKey, {{QUEUE_NAME_START}}) .. ":waiting", started, runId) end
      end
      rcall("HSET", runKey, "status", "awaiting")
      rcall("ZREM", activeKey, runId)
      local _, notifyParent = runEndHelpers()
      notifyParent("awaiting")
      return "awaiting"
    end
  end
  if status == "awaiting" then
    rcall("HSET", runKey, "status", "running")
    rcall("ZREM", "{{HISTORY_INDEX_PREFIX}}status:" .. string.sub(activeKey, {{QUEUE_NAME_START}}) .. ":waiting", runId)
  end
  -- Last activity lives in the index score only: one write per commit.
  rcall("ZADD", activeKey, nowText, runId)
  return "running"
end

if mode == "start" then
  if status then return { "exists", status, 0 } end
  rcall("HSET", runKey, "status", "running", "blueprintId", blueprintId, "blueprintVersion", blueprintVersion,
    "startedAt", nowText, "lastActivity", nowText)
  if reason ~= "" then rcall("HSET", runKey, "parent", reason) end
  if contextLimit > 0 then countContext(false) end
  applyDelta()
  if recording then
    -- The run's start in its history and in the queue's indexes (by start time, by blueprint). Index
    -- entries older than the state TTL are trimmed, at most once a minute per index.
    recordHistory()
    local queue = string.sub(activeKey, {{QUEUE_NAME_START}})
    local started = "{{HISTORY_INDEX_PREFIX}}started:" .. queue
    local byBlueprint = "{{HISTORY_INDEX_PREFIX}}blueprint:" .. queue .. ":" .. blueprintId
    rcall("ZADD", started, nowText, runId)
    rcall("ZADD", byBlueprint, nowText, runId)
    if ttl > 0 then
      local cut = "(" .. string.format("%d", now - ttl * 1000)
      if rcall("SET", "{{HISTORY_INDEX_PREFIX}}trim:" .. queue, "1", "NX", "EX", "60") then
        rcall("ZREMRANGEBYSCORE", started, "-inf", cut)
        for _, s in ipairs({ "completed", "failed", "cancelled" }) do
          rcall("ZREMRANGEBYSCORE", "{{HISTORY_INDEX_PREFIX}}status:" .. queue .. ":" .. s, "-inf", cut)
        end
      end
      if rcall("SET", "{{HISTORY_INDEX_PREFIX}}trim:" .. queue .. ":" .. blueprintId, "1", "NX", "EX", "60") then
        rcall("ZREMRANGEBYSCORE", byBlueprint, "-inf", cut)
      end
    end
  end
  applyArrivals(direct)
  local runStatus = settle()
  if not died and not stalled then return { "committed", runStatus, enqueued } end
  return { "committed", runStatus, enqueued, died or {}, stalled or {} }
end

if status == "completed" or status == "failed" or status == "cancelled" then
  return { "finished", status, 0 }
end
local createdHere = false
if not moved and not status then
  -- A run whose keys are gone (a redrive deleted a subflow's old child, or they expired) while one of
  -- its jobs ran: nothing to change, and nothing to create (a run hash made here would stand in the
  -- way of the child a redrive is about to start under the same id).
  if nStart == 0 then return { "gone", "cancelled", 0 } end
  createdHere = true
  -- A run started by a client that only seeds the state hash and enqueues the start jobs (the
  -- seed's startWorkflow): its start entries are what is pending (the worker passes them when the
  -- run hash did not exist as it took the job).
  rcall("HSET", runKey, "status", "running", "blueprintId", blueprintId, "blueprintVersion", blueprintVersion,
    "startedAt", nowText, "lastActivity", nowText)
  if recording then
    -- Listed like a run a Flowcraft client started (its start event leads the worker's history).
    local queue = string.sub(activeKey, {{QUEUE_NAME_START}})
    rcall("ZADD", "{{HISTORY_INDEX_PREFIX}}started:" .. queue, nowText, runId)
    rcall("ZADD", "{{HISTORY_INDEX_PREFIX}}blueprint:" .. queue .. ":" .. blueprintId, nowText, runId)
  end
  for i = startsFirst, startsLast do rcall("SADD", pendingKey, ARGV[i]) end
  if hot then moved = rcall("SMOVE", pendingKey, doneKey, instance) == 1 end
end
if not createdHere and mode ~= "start" then dropLeadingStart() end

if mode == "cancel" then
  if contextLimit > 0 then countContext(false) end
  applyDelta()
  local contextJSON, _, finishRun = runEndHelpers()
  recordHistory()
  finishRun("cancelled", '{"status":"cancelled","reason":' .. cjson.encode(reason) .. ',"payload":' .. contextJSON() .. '}', nil, reason)
  return { "committed", "cancelled", 0 }
end
if mode == "await" then
  if rcall("SISMEMBER", doneKey, instance) == 1 then return { "duplicate", status or "running", 0 } end
  if rcall("SISMEMBER", pendingKey, instance) == 0 then return { "unscheduled", status or "running", 0 } end
  if rcall("SADD", awaitingKey, instance) == 0 then return { "duplicate", status or "running", 0 } end
  if contextLimit > 0 then countContext(false) end
  applyDelta()
  recordHistory()
  return { "committed", settle(), 0 }
end

-- Moving the entry from pending to done (above) is the commit's key: a redelivered job finds it gone.
if not moved then
  if rcall("SISMEMBER", doneKey, instance) == 1 then return { "duplicate", status or "running", 0 } end
  return { "unscheduled", status or "running", 0 }
end
local awaitingCount = nil
if mode == "complete" then
  -- A parkable node (`wait`, `subflow`) leaves the awaiting set; whether the run was awaiting matters.
  awaitingCount = rcall("SCARD", awaitingKey)
  if awaitingCount > 0 then
    awaitingCount = awaitingCount - rcall("SREM", awaitingKey, instance)
    status = rcall("HGET", runKey, "status")
  end
end

-- Fails the run at the committed node; `limitReason` (a reason decided here) is prefixed with the
-- node's name as a node's failure reason is by the caller.
local function failRun(failReason, failAttempts, limitReason)
  local failedNode = string.match(instance, "^(.*)#%d+$") or instance
  -- Dynamic nodes commit as `<spawner>~dynamic~<id>`, the routing after them as `<spawner>~dynamic-done`.
  failedNode = string.match(failedNode, "~dynamic~(.*)$") or string.match(failedNode, "^(.*)~dynamic%-done$") or failedNode
  -- A fallback commits as `<fallback>~fallback-of~<failed node>`.
  failedNode = string.match(failedNode, "^(.*)~fallback%-of~") or failedNode
  if limitReason then failReason = "node '" .. failedNode .. "': " .. limitReason end
  local contextJSON, _, finishRun = runEndHelpers()
  finishRun("failed", '{"status":"failed","reason":' .. cjson.encode(failReason) .. ',"nodeId":' .. cjson.encode(failedNode)
    .. ',"attempts":' .. failAttempts .. ',"payload":' .. contextJSON() .. '}', failedNode, failReason, true)
  return { "committed", "failed", 0 }
end

if contextLimit > 0 then
  -- A completion whose writes would take the run's context over its limit fails the run instead of
  -- committing (SizeLimitViolation's message for the run context); a failure is stored as it is.
  local total, fits = countContext(mode ~= "fail")
  if not fits then
    recordHistory()
    local message = "the run's context would grow to " .. string.format("%d", total) .. " bytes, over the limit of "
      .. string.format("%d", contextLimit) .. " bytes (maximumRunContextBytes)"
    local failed = failRun(nil, 1, message)
    return { failed[1], failed[2], failed[3], {}, {}, {}, message }
  end
end
applyDelta()
recordHistory()

if mode == "fail" then return failRun(reason, attempts) end

applyArrivals(direct)
local runStatus = settle(awaitingCount)
-- The two event lists are left off when both are empty (the common case): a shorter reply.
if not died and not stalled and not parked then return { "committed", runStatus, enqueued } end
return { "committed", runStatus, enqueued, died or {}, stalled or {}, parked or {} }
end

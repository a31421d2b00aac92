/// Lua functions shared by several queue scripts. Each script that needs them starts with this text,
/// so every script stays self-contained for `EVALSHA` (Redis has no shared Lua state between scripts).
enum QueueLuaLibrary {
    /// Every helper below: ``emitter`` (`emit(events, cap, field, value, …)` appends to the events
    /// stream, capped near `cap` entries; `eventsCap(meta)` reads `opts.maxLenEvents`, default 10 000)
    /// and ``numbers``. Scripts on the hot path include only the pieces they call: each `local function`
    /// is a closure created anew by every `EVALSHA`.
    ///
    /// Arguments to `redis.call` are passed as strings wherever the scripts have them as text: Redis
    /// formats every Lua number argument with `%.17g`, which costs more than many a command.
    static let events = emitter + numbers

    /// `rcall`, the local name of `redis.call` that ``add``, ``fetch``, ``readMeta`` and
    /// ``nextDelayedDue`` use: a local costs no global and field lookup per command. Scripts using those
    /// pieces start with it.
    static let prelude = "local rcall = redis.call\n"

    /// `eventsCap(meta)` and `emit(events, cap, field, value, …)`, for the scripts off the hot path (the
    /// hot ones write their `XADD` inline: a call through a vararg function costs more than the write's
    /// arguments).
    static let emitter = #"""
local function eventsCap(metaKey)
  local cap = redis.call("HGET", metaKey, "opts.maxLenEvents")
  -- Only plain digits: XADD refuses "-1" or "1.5", which tonumber takes.
  if cap and string.find(cap, "^%d+$") then return cap end
  return "10000"
end

local function emit(eventsKey, cap, ...)
  redis.call("XADD", eventsKey, "MAXLEN", "~", cap, "*", ...)
end

"""#

    /// `isInteger(value)`, `integerArgument(text)` and `integerText(text, value)`: argument checks.
    static let numbers = integerChecks + integerText

    /// `isInteger(value)` and `integerArgument(text)`. (The hot scripts take only
    /// ``integerArgument`` and test `(x and x % 1 == 0)` in place.)
    static let integerChecks = #"""
local function isInteger(value)
  return value ~= nil and value % 1 == 0
end

"""# + integerArgument

    /// `integerArgument(text)`.
    static let integerArgument = #"""

-- An integer argument as a number (nil when it is not a number). "0", "1" and "-1", the commonest,
-- skip tonumber, which costs as much as a simple command.
local function integerArgument(text)
  if text == "0" then return 0 elseif text == "1" then return 1 elseif text == "-1" then return -1 end
  return tonumber(text)
end

"""#

    /// `integerText(text, value)`.
    static let integerText = #"""
-- The decimal text of an integer argument: the argument itself when it is plain digits, else `value`
-- formatted.
local function integerText(text, value)
  if text == "0" or string.find(text, "^%-?%d+$") then return text end
  return string.format("%d", value)
end

"""#

    /// Adding a job, for `addJob` and for scripts that enqueue jobs themselves (the distributed
    /// engine's completion script), so there is one copy of the add logic. Needs nothing else.
    ///
    /// `addValidatedJob(k, …)` adds a job with checked arguments to the queue whose keys `k` holds
    /// (wait, meta, id, delayed, prioritized, pc, marker, events, active) and returns the job id (the
    /// existing one for a duplicate custom id or dedup id). Numbers come with the decimal text that is
    /// written (Redis formats Lua number arguments with `%.17g`, which is costly). `k` also carries,
    /// for the rest of the script, what the first add read of the queue's meta hash (`cap`, `paused`,
    /// `limit`) and whether it set the marker (`marked`): a script adding several jobs reads the meta
    /// hash once and sets the marker once (nothing else writes either during a script).
    static let add = #"""
local function addValidatedJob(k, prefix, customId, name, data, opts, timestampText, delay, delayText,
    priority, priorityText, lifo, defaultCapText, dedupId, dedupTTL)
  local counter = rcall("INCR", k.id)
  local cap = k.cap
  if not cap then
    local meta = rcall("HMGET", k.meta, "opts.maxLenEvents", "paused", "concurrency")
    cap = meta[1]
    -- (Comparing with the default's text first spares the pattern in the common case; XADD takes
    -- plain digits only.)
    if cap ~= defaultCapText and not (cap and string.find(cap, "^%d+$")) then
      cap = defaultCapText
      rcall("HSET", k.meta, "opts.maxLenEvents", cap)
    end
    k.cap, k.paused, k.limit = cap, meta[2] ~= false, meta[3] and tonumber(meta[3])
  end

  local jobId = customId
  if jobId == "" then jobId = tostring(counter) end
  local jobKey = prefix .. jobId

  if customId ~= "" and rcall("EXISTS", jobKey) == 1 then
    rcall("XADD", k.events, "MAXLEN", "~", cap, "*", "event", "duplicated", "jobId", jobId)
    return jobId
  end

  if dedupId ~= "" then
    local dedupKey = prefix .. "de:" .. dedupId
    local created
    if dedupTTL > 0 then
      created = rcall("SET", dedupKey, jobId, "PX", dedupTTL, "NX")
    else
      created = rcall("SET", dedupKey, jobId, "NX")
    end
    if not created then
      local existing = rcall("GET", dedupKey) or ""
      rcall("XADD", k.events, "MAXLEN", "~", cap, "*", "event", "deduplicated", "jobId", existing,
        "deduplicationId", dedupId, "deduplicatedJobId", jobId)
      return existing
    end
    rcall("HSET", jobKey, "name", name, "data", data, "opts", opts, "timestamp", timestampText,
      "delay", delayText, "priority", priorityText, "deid", dedupId)
  else
    rcall("HSET", jobKey, "name", name, "data", data, "opts", opts, "timestamp", timestampText,
      "delay", delayText, "priority", priorityText)
  end
  rcall("XADD", k.events, "MAXLEN", "~", cap, "*", "event", "added", "jobId", jobId, "name", name)

  if delay > 0 then
    local due = tonumber(timestampText) + delay
    rcall("ZADD", k.delayed, due * 4096 + counter % 4096, jobId)
    rcall("XADD", k.events, "MAXLEN", "~", cap, "*", "event", "delayed", "jobId", jobId, "delay", due)
    if not k.paused then
      local first = rcall("ZRANGE", k.delayed, "0", "0", "WITHSCORES")
      rcall("ZADD", k.marker, math.floor(tonumber(first[2]) / 4096), "1")
    end
    return jobId
  end

  if priority > 0 then
    local seq = rcall("INCR", k.pc) % 4294967296
    rcall("ZADD", k.prioritized, priority * 4294967296 + seq, jobId)
  elseif lifo then
    rcall("RPUSH", k.wait, jobId)
  else
    rcall("LPUSH", k.wait, jobId)
  end
  if not k.marked and not k.paused and not (k.limit and rcall("LLEN", k.active) >= k.limit) then
    rcall("ZADD", k.marker, "0", "0")
    k.marked = true
  end
  rcall("XADD", k.events, "MAXLEN", "~", cap, "*", "event", "waiting", "jobId", jobId)
  return jobId
end

"""#

    /// `addJob`'s argument handling: needs ``numbers`` and ``add``.
    ///
    /// `addJobFromArguments(keys, args)` adds a job from `addJob`'s keys and 12 arguments (see
    /// ``QueueScript/addJob``), returning an error table for invalid ones. `addJobNumbers(args)` checks
    /// those arguments and returns the timestamp, delay, priority and dedup ttl as numbers, or nil and
    /// what is wrong.
    static let addArguments = #"""
local function addJobNumbers(args)
  local timestamp, delay, priority = tonumber(args[6]), integerArgument(args[7]), integerArgument(args[8])
  local defaultCap, dedupTTL = tonumber(args[10]), integerArgument(args[12])
  if not isInteger(timestamp) or not isInteger(delay) or delay < 0 or not isInteger(priority)
    or priority < 0 or priority > 2097152 or not isInteger(defaultCap) or not isInteger(dedupTTL) then
    return nil, "invalid timestamp, delay, priority or ttl"
  end
  if string.find(args[2], ":", 1, true) then return nil, "a job id may not contain ':'" end
  return timestamp, delay, priority, dedupTTL
end

local function addJobFromArguments(keys, args)
  local timestamp, delay, priority, dedupTTL = addJobNumbers(args)
  if not timestamp then return { err = "ERR flowcraft addJob: " .. delay } end
  local k = { wait = keys[1], meta = keys[2], id = keys[3], delayed = keys[4],
    prioritized = keys[5], pc = keys[6], marker = keys[7], events = keys[8], active = keys[9] }
  return addValidatedJob(k, args[1], args[2], args[3], args[4], args[5], integerText(args[6], timestamp), delay,
    integerText(args[7], delay), priority, integerText(args[8], priority), args[9] == "1",
    integerText(args[10], tonumber(args[10])), args[11], dedupTTL)
end

"""#

    /// Job fetching with delayed-job promotion, used by `moveToActive` and by `moveToFinished`
    /// (fetch-next); needs nothing else. The script's KEYS start with the fetch keys (wait, active,
    /// prioritized, delayed, events, meta, pc, marker, stalled: ``QueueKeys/fetchKeys``), which
    /// `fetchJob` reads in place (a table of them would be one more allocation per call).
    static let fetch = #"""
-- Returns the fetched id and its hash fields (as they are after the fetch), or nil when nothing may
-- be fetched now. `cap`, `paused` and `limit` are the events cap, the paused flag and the concurrency
-- limit from the meta hash; `lockDuration` and `nowText` are the arguments' text.
local function fetchJob(prefix, token, lockDuration, now, nowText, workerName, cap, paused, limit)
  local waitKey, activeKey, prioritizedKey, delayedKey = KEYS[1], KEYS[2], KEYS[3], KEYS[4]
  local eventsKey, pcKey, markerKey = KEYS[5], KEYS[7], KEYS[8]
  -- Delayed jobs that are due go to wait (or prioritized) first.
  local due = rcall("ZRANGEBYSCORE", delayedKey, "0", string.format("%d", (now + 1) * 4096 - 1), "LIMIT", "0", "1000")
  if #due > 0 then
    for _, id in ipairs(due) do
      local jobKey = prefix .. id
      local priority = rcall("HGET", jobKey, "priority")
      if priority then
        priority = tonumber(priority) or 0
        if priority > 0 then
          local seq = rcall("INCR", pcKey) % 4294967296
          rcall("ZADD", prioritizedKey, priority * 4294967296 + seq, id)
        else
          rcall("LPUSH", waitKey, id)
        end
        rcall("HSET", jobKey, "delay", "0")
        rcall("XADD", eventsKey, "MAXLEN", "~", cap, "*", "event", "waiting", "jobId", id, "prev", "delayed")
      end
      rcall("ZREM", delayedKey, id)
    end
    if not paused then rcall("ZADD", markerKey, "0", "0") end
  end
  if paused then return nil end
  if limit and rcall("LLEN", activeKey) >= limit then return nil end
  local id = rcall("RPOPLPUSH", waitKey, activeKey)
  if not id then
    local top = rcall("ZPOPMIN", prioritizedKey)
    if not top[1] then return nil end
    id = top[1]
    rcall("LPUSH", activeKey, id)
    if rcall("ZCARD", prioritizedKey) == 0 then rcall("DEL", pcKey) end
  end
  local jobKey = prefix .. id
  -- One read returns the job and tells whether it still exists; the fields this fetch writes are
  -- then patched into the returned list (one pass finds them).
  local fields = rcall("HGETALL", jobKey)
  local n = #fields
  if n == 0 then
    -- Removed while waiting: drop the dangling id rather than hand out an empty job.
    rcall("LREM", activeKey, "-1", id)
    return nil
  end
  local started, startedAt, processedAt, workerAt = "1", nil, nil, nil
  for i = 1, n, 2 do
    local field = fields[i]
    if field == "ats" then
      started = string.format("%d", (tonumber(fields[i + 1]) or 0) + 1)
      startedAt = i + 1
    elseif field == "processedOn" then
      processedAt = i + 1
    elseif field == "pb" then
      workerAt = i + 1
    end
  end
  rcall("SET", jobKey .. ":lock", token, "PX", lockDuration)
  rcall("XADD", eventsKey, "MAXLEN", "~", cap, "*", "event", "active", "jobId", id, "prev", "waiting")
  rcall("HSET", jobKey, "processedOn", nowText, "pb", workerName, "ats", started)
  if processedAt then fields[processedAt] = nowText else fields[n + 1] = "processedOn"; fields[n + 2] = nowText; n = n + 2 end
  if workerAt then fields[workerAt] = workerName else fields[n + 1] = "pb"; fields[n + 2] = workerName; n = n + 2 end
  if startedAt then fields[startedAt] = started else fields[n + 1] = "ats"; fields[n + 2] = started end
  -- Other blocked workers may take the next job: the marker is set again when it is gone and more
  -- jobs are ready. (BullMQ sets it on every fetch, which wakes an idle worker for an empty fetch
  -- after the last job; on a busy queue the marker is still there and one read decides.)
  if not rcall("ZSCORE", markerKey, "0") and (rcall("LLEN", waitKey) > 0 or rcall("ZCARD", prioritizedKey) > 0) then
    rcall("ZADD", markerKey, "0", "0")
  end
  return id, fields
end

"""#

    /// The queue's meta hash as the fetching scripts need it: sets `cap`, `paused` and `limit` (one
    /// `HMGET` of the events cap, the paused flag and the concurrency limit) from the meta key
    /// `KEYS[6]`. Top-level statements, not a function (no closure per call).
    static let readMeta = #"""
local cap, paused, limit
do
  local values = rcall("HMGET", KEYS[6], "opts.maxLenEvents", "paused", "concurrency")
  cap, paused, limit = values[1], values[2] ~= false, values[3] and tonumber(values[3])
  if cap ~= "10000" and not (cap and string.find(cap, "^%d+$")) then cap = "10000" end
end

"""#

    /// Sets `nextDue` to the earliest delayed job's due time (ms), or 0, from the delayed set
    /// `KEYS[4]`. Top-level statements, for a script's last lines.
    static let nextDelayedDue = #"""
local nextDue = 0
do
  local first = rcall("ZRANGE", KEYS[4], "0", "0", "WITHSCORES")
  if first[2] then nextDue = math.floor(tonumber(first[2]) / 4096) end
end

"""#

    /// For `retryJob`: `fetchKeys(first)` names the fetch keys from `KEYS[first]` on in a table `k`,
    /// and `pushReady(k, jobKey, id, priority, lifo)` puts a job back in `wait` or `prioritized`.
    static let ready = #"""
local function pushReady(k, jobKey, id, priority, lifo)
  if priority > 0 then
    local seq = redis.call("INCR", k.pc) % 4294967296
    redis.call("ZADD", k.prioritized, priority * 4294967296 + seq, id)
  elseif lifo then
    redis.call("RPUSH", k.wait, id)
  else
    redis.call("LPUSH", k.wait, id)
  end
end

local function fetchKeys(first)
  return {
    wait = KEYS[first], active = KEYS[first + 1], prioritized = KEYS[first + 2],
    delayed = KEYS[first + 3], events = KEYS[first + 4], meta = KEYS[first + 5],
    pc = KEYS[first + 6], marker = KEYS[first + 7], stalled = KEYS[first + 8]
  }
end

"""#
}

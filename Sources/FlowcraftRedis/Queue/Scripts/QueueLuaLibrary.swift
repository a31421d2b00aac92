/// Lua functions shared by several queue scripts. Each script that needs them starts with this text,
/// so every script stays self-contained for `EVALSHA` (Redis has no shared Lua state between scripts).
enum QueueLuaLibrary {
    /// `emit(events, cap, field, value, …)` appends to the events stream, capped near `cap` entries.
    /// `eventsCap(meta)` reads `opts.maxLenEvents` (default 10 000).
    ///
    /// Arguments to `redis.call` are passed as strings wherever the scripts have them as text: Redis
    /// formats every Lua number argument with `%.17g`, which costs more than many a command.
    static let events = #"""
local function eventsCap(metaKey)
  local cap = redis.call("HGET", metaKey, "opts.maxLenEvents")
  if tonumber(cap) then return cap end
  return "10000"
end

local function emit(eventsKey, cap, ...)
  redis.call("XADD", eventsKey, "MAXLEN", "~", cap, "*", ...)
end

local function isInteger(value)
  return value ~= nil and value % 1 == 0
end

-- An integer argument as a number (nil when it is not a number). "0", "1" and "-1", the commonest,
-- skip tonumber, which costs as much as a simple command.
local function integerArgument(text)
  if text == "0" then return 0 elseif text == "1" then return 1 elseif text == "-1" then return -1 end
  return tonumber(text)
end

-- The decimal text of an integer argument: the argument itself when it is plain digits, else `value`
-- formatted.
local function integerText(text, value)
  if text == "0" or string.find(text, "^%-?%d+$") then return text end
  return string.format("%d", value)
end

"""#

    /// Adding a job, for `addJob` and for scripts that enqueue jobs themselves (the distributed
    /// engine's completion script), so there is one copy of the add logic. Needs ``events``.
    ///
    /// `addJobFromArguments(keys, args)` adds a job from `addJob`'s keys and 12 arguments (see
    /// ``QueueScript/addJob``), returning an error table for invalid ones. `addJobNumbers(args)` checks
    /// those arguments and returns the timestamp, delay, priority and dedup ttl as numbers, or nil and
    /// what is wrong.
    /// `addValidatedJob(k, …)` adds a job with checked arguments to the queue whose keys `k` holds
    /// (wait, meta, id, delayed, prioritized, pc, marker, events, active) and returns the job id (the
    /// existing one for a duplicate custom id or dedup id). Numbers come with the decimal text that is
    /// written (Redis formats Lua number arguments with `%.17g`, which is costly).
    static let add = #"""
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

local function addValidatedJob(k, prefix, customId, name, data, opts, timestampText, delay, delayText,
    priority, priorityText, lifo, defaultCapText, dedupId, dedupTTL)
  local counter = redis.call("INCR", k.id)
  local meta = redis.call("HMGET", k.meta, "opts.maxLenEvents", "paused", "concurrency")
  local cap = meta[1]
  -- (Comparing with the default's text first spares a tonumber in the common case.)
  if cap ~= defaultCapText and not tonumber(cap) then
    cap = defaultCapText
    redis.call("HSET", k.meta, "opts.maxLenEvents", cap)
  end

  local jobId = customId
  if jobId == "" then jobId = tostring(counter) end
  local jobKey = prefix .. jobId

  if customId ~= "" and redis.call("EXISTS", jobKey) == 1 then
    emit(k.events, cap, "event", "duplicated", "jobId", jobId)
    return jobId
  end

  if dedupId ~= "" then
    local dedupKey = prefix .. "de:" .. dedupId
    local created
    if dedupTTL > 0 then
      created = redis.call("SET", dedupKey, jobId, "PX", dedupTTL, "NX")
    else
      created = redis.call("SET", dedupKey, jobId, "NX")
    end
    if not created then
      local existing = redis.call("GET", dedupKey) or ""
      emit(k.events, cap, "event", "deduplicated", "jobId", existing,
        "deduplicationId", dedupId, "deduplicatedJobId", jobId)
      return existing
    end
  end

  if dedupId ~= "" then
    redis.call("HSET", jobKey, "name", name, "data", data, "opts", opts, "timestamp", timestampText,
      "delay", delayText, "priority", priorityText, "deid", dedupId)
  else
    redis.call("HSET", jobKey, "name", name, "data", data, "opts", opts, "timestamp", timestampText,
      "delay", delayText, "priority", priorityText)
  end
  emit(k.events, cap, "event", "added", "jobId", jobId, "name", name)

  local paused = meta[2] ~= false
  if delay > 0 then
    local due = tonumber(timestampText) + delay
    redis.call("ZADD", k.delayed, due * 4096 + counter % 4096, jobId)
    emit(k.events, cap, "event", "delayed", "jobId", jobId, "delay", due)
    if not paused then
      local first = redis.call("ZRANGE", k.delayed, "0", "0", "WITHSCORES")
      redis.call("ZADD", k.marker, math.floor(tonumber(first[2]) / 4096), "1")
    end
    return jobId
  end

  if priority > 0 then
    local seq = redis.call("INCR", k.pc) % 4294967296
    redis.call("ZADD", k.prioritized, priority * 4294967296 + seq, jobId)
  elseif lifo then
    redis.call("RPUSH", k.wait, jobId)
  else
    redis.call("LPUSH", k.wait, jobId)
  end
  local limit = meta[3] and tonumber(meta[3])
  if not paused and not (limit and redis.call("LLEN", k.active) >= limit) then
    redis.call("ZADD", k.marker, "0", "0")
  end
  emit(k.events, cap, "event", "waiting", "jobId", jobId)
  return jobId
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

    /// Delayed-job promotion and job fetching, used by `moveToActive` and by `moveToFinished`
    /// (fetch-next). `k` is a table of key names: wait, active, prioritized, delayed, events, meta,
    /// pc, marker. `queueMeta(metaKey)` reads the events cap, the paused flag and the concurrency
    /// limit with one `HMGET`, so a finish-and-fetch reads the meta hash once.
    static let fetch = #"""
local function queueMeta(metaKey)
  local values = redis.call("HMGET", metaKey, "opts.maxLenEvents", "paused", "concurrency")
  local cap = values[1]
  if cap ~= "10000" and not tonumber(cap) then cap = "10000" end
  return { cap = cap, paused = values[2] ~= false, limit = values[3] and tonumber(values[3]) }
end

local function nextDelayedDue(delayedKey)
  local first = redis.call("ZRANGE", delayedKey, 0, 0, "WITHSCORES")
  if first[2] then return math.floor(tonumber(first[2]) / 4096) end
  return 0
end

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

local function promoteDelayed(k, prefix, now, cap, paused)
  local due = redis.call("ZRANGEBYSCORE", k.delayed, "0", string.format("%d", (now + 1) * 4096 - 1), "LIMIT", "0", "1000")
  if #due == 0 then return end
  for _, id in ipairs(due) do
    local jobKey = prefix .. id
    local priority = redis.call("HGET", jobKey, "priority")
    if priority then
      pushReady(k, jobKey, id, tonumber(priority) or 0, false)
      redis.call("HSET", jobKey, "delay", "0")
      emit(k.events, cap, "event", "waiting", "jobId", id, "prev", "delayed")
    end
    redis.call("ZREM", k.delayed, id)
  end
  if not paused then redis.call("ZADD", k.marker, "0", "0") end
end

-- Sets `field` to `value` in an HGETALL-style list (appending it when absent).
local function setListField(fields, field, value)
  for i = 1, #fields, 2 do
    if fields[i] == field then
      fields[i + 1] = value
      return
    end
  end
  fields[#fields + 1] = field
  fields[#fields + 1] = value
end

-- Returns the fetched id and its hash fields (as they are after the fetch), or nil when nothing may
-- be fetched now. `meta` is what queueMeta returned; `lockDuration` and `nowText` are the arguments'
-- text.
local function fetchJob(k, prefix, token, lockDuration, now, nowText, workerName, meta)
  promoteDelayed(k, prefix, now, meta.cap, meta.paused)
  if meta.paused then return nil end
  if meta.limit and redis.call("LLEN", k.active) >= meta.limit then return nil end
  local id = redis.call("RPOPLPUSH", k.wait, k.active)
  if not id then
    local top = redis.call("ZPOPMIN", k.prioritized)
    if not top[1] then return nil end
    id = top[1]
    redis.call("LPUSH", k.active, id)
    if redis.call("ZCARD", k.prioritized) == 0 then redis.call("DEL", k.pc) end
  end
  local jobKey = prefix .. id
  -- One read returns the job and tells whether it still exists; the fields this fetch writes are
  -- then patched into the returned list.
  local fields = redis.call("HGETALL", jobKey)
  if #fields == 0 then
    -- Removed while waiting: drop the dangling id rather than hand out an empty job.
    redis.call("LREM", k.active, "-1", id)
    return nil
  end
  local started = "1"
  for i = 1, #fields, 2 do
    if fields[i] == "ats" then started = string.format("%d", (tonumber(fields[i + 1]) or 0) + 1) end
  end
  redis.call("SET", jobKey .. ":lock", token, "PX", lockDuration)
  emit(k.events, meta.cap, "event", "active", "jobId", id, "prev", "waiting")
  redis.call("HSET", jobKey, "processedOn", nowText, "pb", workerName, "ats", started)
  setListField(fields, "processedOn", nowText)
  setListField(fields, "pb", workerName)
  setListField(fields, "ats", started)
  if redis.call("LLEN", k.wait) > 0 or redis.call("ZCARD", k.prioritized) > 0 then
    redis.call("ZADD", k.marker, "0", "0")
  end
  return id, fields
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

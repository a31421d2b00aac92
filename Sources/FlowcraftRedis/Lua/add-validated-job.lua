--- `addValidatedJob(k, …)`: the one copy of the add logic (addJob, the completion script, abortRun). Uses `rcall`.
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

--- `fetchJob(…)`: job fetching with delayed-job promotion; reads the fetch keys from KEYS[1…9] in place. Uses `rcall`.
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

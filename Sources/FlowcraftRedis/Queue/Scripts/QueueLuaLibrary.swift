/// Lua functions shared by several queue scripts. Each script that needs them starts with this text,
/// so every script stays self-contained for `EVALSHA` (Redis has no shared Lua state between scripts).
enum QueueLuaLibrary {
    /// `emit(events, cap, field, value, …)` appends to the events stream, capped near `cap` entries.
    /// `eventsCap(meta)` reads `opts.maxLenEvents` (default 10 000).
    static let events = #"""
local function eventsCap(metaKey)
  return tonumber(redis.call("HGET", metaKey, "opts.maxLenEvents")) or 10000
end

local function emit(eventsKey, cap, ...)
  redis.call("XADD", eventsKey, "MAXLEN", "~", cap, "*", ...)
end

local function isInteger(value)
  return value ~= nil and value == math.floor(value)
end

"""#

    /// Delayed-job promotion and job fetching, used by `moveToActive` and by `moveToFinished`
    /// (fetch-next). `k` is a table of key names: wait, active, prioritized, delayed, events, meta,
    /// pc, marker.
    static let fetch = #"""
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
  local due = redis.call("ZRANGEBYSCORE", k.delayed, 0, (now + 1) * 4096 - 1, "LIMIT", 0, 1000)
  if #due == 0 then return end
  for _, id in ipairs(due) do
    local jobKey = prefix .. id
    local priority = redis.call("HGET", jobKey, "priority")
    if priority then
      pushReady(k, jobKey, id, tonumber(priority) or 0, false)
      redis.call("HSET", jobKey, "delay", 0)
      emit(k.events, cap, "event", "waiting", "jobId", id, "prev", "delayed")
    end
    redis.call("ZREM", k.delayed, id)
  end
  if not paused then redis.call("ZADD", k.marker, 0, "0") end
end

-- Returns the fetched id and its hash fields, or nil when nothing may be fetched now.
local function fetchJob(k, prefix, token, lockDuration, now, workerName, cap)
  local meta = redis.call("HMGET", k.meta, "paused", "concurrency")
  local paused = meta[1] ~= false
  promoteDelayed(k, prefix, now, cap, paused)
  if paused then return nil end
  local limit = tonumber(meta[2])
  if limit and redis.call("LLEN", k.active) >= limit then return nil end
  local id = redis.call("RPOPLPUSH", k.wait, k.active)
  if not id then
    local top = redis.call("ZPOPMIN", k.prioritized)
    if not top[1] then return nil end
    id = top[1]
    redis.call("LPUSH", k.active, id)
    if redis.call("ZCARD", k.prioritized) == 0 then redis.call("DEL", k.pc) end
  end
  local jobKey = prefix .. id
  if redis.call("EXISTS", jobKey) == 0 then
    -- Removed while waiting: drop the dangling id rather than hand out an empty job.
    redis.call("LREM", k.active, -1, id)
    return nil
  end
  redis.call("SET", jobKey .. ":lock", token, "PX", lockDuration)
  emit(k.events, cap, "event", "active", "jobId", id, "prev", "waiting")
  redis.call("HSET", jobKey, "processedOn", now, "pb", workerName)
  redis.call("HINCRBY", jobKey, "ats", 1)
  if redis.call("LLEN", k.wait) > 0 or redis.call("ZCARD", k.prioritized) > 0 then
    redis.call("ZADD", k.marker, 0, "0")
  end
  return id, redis.call("HGETALL", jobKey)
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

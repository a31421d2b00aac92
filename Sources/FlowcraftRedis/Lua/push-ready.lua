--- `pushReady(k, jobKey, id, priority, lifo)` and `fetchKeys(first)`, for retryJob.
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

--- `eventsCap(metaKey)` and `emit(eventsKey, cap, field, value, …)`, for the scripts off the hot path.
local function eventsCap(metaKey)
  local cap = redis.call("HGET", metaKey, "opts.maxLenEvents")
  -- Only plain digits: XADD refuses "-1" or "1.5", which tonumber takes.
  if cap and string.find(cap, "^%d+$") then return cap end
  return "{{DEFAULT_EVENTS_CAP}}"
end

local function emit(eventsKey, cap, ...)
  redis.call("XADD", eventsKey, "MAXLEN", "~", cap, "*", ...)
end

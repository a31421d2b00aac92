--- pause: pauses or resumes the queue. A paused queue keeps accepting jobs into `wait` but has no
--- marker, so workers stay idle; resuming moves a legacy `paused` list back and restores the marker.
--- Called through QueueScript.PauseCall.
--- KEYS: 1 meta, 2 marker, 3 events, 4 wait, 5 paused, 6 delayed, 7 prioritized.
--- ARGV: 1 "pause" | "resume".
--@include "events.lua"
local metaKey, markerKey, eventsKey, waitKey, pausedKey, delayedKey, prioritizedKey =
  KEYS[1], KEYS[2], KEYS[3], KEYS[4], KEYS[5], KEYS[6], KEYS[7]
local action = ARGV[1]
if action ~= "pause" and action ~= "resume" then
  return redis.error_reply("ERR flowcraft pause: action must be pause or resume")
end
local cap = eventsCap(metaKey)
if action == "pause" then
  redis.call("HSET", metaKey, "paused", 1)
  redis.call("DEL", markerKey)
  emit(eventsKey, cap, "event", "paused")
  return 0
end
redis.call("HDEL", metaKey, "paused")
while redis.call("RPOPLPUSH", pausedKey, waitKey) do end
if redis.call("LLEN", waitKey) > 0 or redis.call("ZCARD", prioritizedKey) > 0 then
  redis.call("ZADD", markerKey, 0, "0")
end
local first = redis.call("ZRANGE", delayedKey, 0, 0, "WITHSCORES")
if first[2] then redis.call("ZADD", markerKey, math.floor(tonumber(first[2]) / 4096), "1") end
emit(eventsKey, cap, "event", "resumed")
return 0

--- Top-level statements: `cap`, `paused` and `limit` from the meta hash KEYS[6] (one HMGET). Uses `rcall`.
local cap, paused, limit
do
  local values = rcall("HMGET", KEYS[6], "opts.maxLenEvents", "paused", "concurrency")
  cap, paused, limit = values[1], values[2] ~= false, values[3] and tonumber(values[3])
  if cap ~= "{{DEFAULT_EVENTS_CAP}}" and not (cap and string.find(cap, "^%d+$")) then cap = "{{DEFAULT_EVENTS_CAP}}" end
end

--- Top-level statements: `nextDue`, the earliest delayed job's due time (ms) or 0, from KEYS[4]. Uses `rcall`.
local nextDue = 0
do
  local first = rcall("ZRANGE", KEYS[4], "0", "0", "WITHSCORES")
  if first[2] then nextDue = math.floor(tonumber(first[2]) / 4096) end
end

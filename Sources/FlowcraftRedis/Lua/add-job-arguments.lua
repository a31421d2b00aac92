--- `addJobFromArguments(keys, args)`: addJob's argument handling; needs numbers.lua and add-validated-job.lua.
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

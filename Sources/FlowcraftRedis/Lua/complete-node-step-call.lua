--- The FinishStep form of complete-node.lua: the call. The commit's KEYS and ARGV follow the finish
--- script's own; the queue keys the finish script already has (and its meta read) serve the
--- successors' adds; the job's returnvalue ends with the commit's code and the run's status.
-- (The finish call's own time: a retried call commits with the time it runs at.)
attached = commitNode({{FINISH_ARGUMENT_COUNT}}, {{FINISH_KEY_COUNT}}, { wait = KEYS[1], active = KEYS[2], prioritized = KEYS[3], delayed = KEYS[4],
  events = KEYS[5], meta = KEYS[6], pc = KEYS[7], marker = KEYS[8], id = prefix .. "id",
  cap = cap, paused = paused, limit = limit }, ARGV[4])
if not attached.err then valueSuffix = attached[1] .. '","run":"' .. attached[2] .. '"}' end

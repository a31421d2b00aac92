--- moveToFinished: finishes an active job as completed or failed (final), applies retention, emits
--- the events and optionally fetches the next job in the same call, so a busy worker makes one call
--- per job. Called through QueueScript.MoveToFinishedCall.
--- KEYS: the fetch keys (1 wait, 2 active, 3 prioritized, 4 delayed, 5 events, 6 meta, 7 pc,
--- 8 marker, 9 stalled), 10 target zset (completed or failed).
--- ARGV: 1 key prefix, 2 job id, 3 lock token ("0" = skip the lock check), 4 now ms,
--- 5 "completed" | "failed", 6 returnvalue JSON or failedReason, 7 stacktrace JSON or "" (unchanged),
--- 8 keep count (-1 all, 0 remove at once), 9 keep age seconds (0 = no age limit), 10 attempts,
--- 11 fetch next ("1"/"0"), 12 next lock token, 13 lock duration ms, 14 worker name, 15 the job's
--- dedup id (`deid`) or "", 16 "1" when the job carried `defa`, 17 the job's `atm` as fetched ("0"
--- when absent; the lock holder is the only writer of `atm`, so the script sets `atm` + 1 with the
--- result fields instead of a separate HINCRBY; anything else makes the script read `atm`, and a
--- stored `atm` that is no integer counts as 0).
--- A FinishStep's keys follow at KEYS[{{FINISH_KEY_COUNT}} + 1…] and its arguments at
--- ARGV[{{FINISH_ARGUMENT_COUNT}} + 1…]. Slots: `step-definitions` (the step's functions) and
--- `step-call` (move-to-finished-step-call.lua with the step's call, or `local attached = nil`).
--- Returns `{code, nextJobId, {fields}, nextDelayedDueMs}`; code 0 = finished, or -1 missing job,
--- -2 missing lock, -3 not active, -6 token mismatch (nothing changed then, except that a built-in
--- FinishStep has run when the job was found not active: its reply follows as a fifth item).
--@include "prelude.lua"
--@include "integer-argument.lua"
--@include "fetch-job.lua"
--@slot step-definitions
if #ARGV < 14 then return redis.error_reply("ERR flowcraft moveToFinished: expected at least 14 arguments") end
local prefix, jobId, token, now = ARGV[1], ARGV[2], ARGV[3], tonumber(ARGV[4])
local target, value, stacktrace = ARGV[5], ARGV[6], ARGV[7]
local keepCount, keepAge, attempts = integerArgument(ARGV[8]), integerArgument(ARGV[9]), integerArgument(ARGV[10])
local fetchNext, nextToken, lockDuration = ARGV[11] == "1", ARGV[12], tonumber(ARGV[13])
-- (`x and x % 1 == 0`: x is an integer.)
if not (now and now % 1 == 0) or (target ~= "completed" and target ~= "failed") or not (keepCount and keepCount % 1 == 0)
  or not (keepAge and keepAge % 1 == 0) or not (attempts and attempts % 1 == 0) or jobId == "" then
  return redis.error_reply("ERR flowcraft moveToFinished: invalid arguments")
end
if fetchNext and (nextToken == "" or not (lockDuration and lockDuration % 1 == 0) or lockDuration <= 0) then
  return redis.error_reply("ERR flowcraft moveToFinished: invalid next token or lock duration")
end

local waitKey, activeKey, prioritizedKey, eventsKey, stalledKey = KEYS[1], KEYS[2], KEYS[3], KEYS[5], KEYS[9]
local targetKey = KEYS[10]
local jobKey = prefix .. jobId
local lockKey = jobKey .. ":lock"

-- The lock check comes first: a held lock implies the job exists, which saves a lookup per job.
if token ~= "0" then
  local held = rcall("GET", lockKey)
  if held ~= token and rcall("EXISTS", jobKey) == 0 then return { -1, "", {}, 0 } end
  if not held then return { -2, "", {}, 0 } end
  if held ~= token then return { -6, "", {}, 0 } end
elseif rcall("EXISTS", jobKey) == 0 then
  return { -1, "", {}, 0 }
end
-- The meta hash (one HMGET, as read-meta.lua) plus `ageDue`: when the age retention's range query
-- is next needed for this target set and keep age (QueueScript.ageRetentionDueField), nil when
-- unknown. The query then runs only once a member can be old enough to go, not on every finish: the
-- field holds the oldest member's finished-on time plus the keep age as of the last query, and members
-- only leave or arrive with a later time (a job finished by a client whose clock is behind goes up to
-- that difference late).
local cap, paused, limit, ageDue
local ageDueField = "flowcraft:age-due:" .. ARGV[5] .. ":" .. ARGV[9]
do
  local values = rcall("HMGET", KEYS[6], "opts.maxLenEvents", "paused", "concurrency", ageDueField)
  cap, paused, limit, ageDue = values[1], values[2] ~= false, values[3] and tonumber(values[3]), values[4]
  if cap ~= "{{DEFAULT_EVENTS_CAP}}" and not (cap and string.find(cap, "^%d+$")) then cap = "{{DEFAULT_EVENTS_CAP}}" end
end
--@slot step-call
-- (A job whose lock this worker holds is in the active list unless someone removed it by hand; then
-- the step has run and the job is left where it is, reported as −3 with the step's reply.)
if rcall("LREM", activeKey, "-1", jobId) == 0 then return { -3, "", {}, 0, attached } end
rcall("DEL", lockKey)
rcall("SREM", stalledKey, jobId)

-- The worker passes the dedup id and deferred-failure flag it read with the job (saves two lookups).
local dedupId, hadDeferredFailure = ARGV[15] or "", ARGV[16] == "1"
if dedupId ~= "" then
  local dedupKey = prefix .. "de:" .. dedupId
  if rcall("GET", dedupKey) == jobId then rcall("DEL", dedupKey) end
end
local knownAttempts = integerArgument(ARGV[17] or "")
local attemptsMade, attemptsText
if knownAttempts == 0 then
  attemptsMade, attemptsText = 1, "1"
elseif knownAttempts and knownAttempts % 1 == 0 then
  attemptsMade = knownAttempts + 1
  attemptsText = string.format("%d", attemptsMade)
else
  -- (Not HINCRBY: it fails on a non-integer `atm`, after this script's first writes.)
  local stored = tonumber(rcall("HGET", jobKey, "atm"))
  if stored and stored % 1 == 0 and stored >= 0 then attemptsMade = stored + 1 else attemptsMade = 1 end
  attemptsText = string.format("%d", attemptsMade)
end
local nowText = ARGV[4]

if keepCount == 0 then
  rcall("DEL", jobKey, jobKey .. ":logs", lockKey)
else
  rcall("ZADD", targetKey, nowText, jobId)
  local field = "returnvalue"
  if target == "failed" then field = "failedReason" end
  if stacktrace ~= "" then
    rcall("HSET", jobKey, field, value, "finishedOn", nowText, "atm", attemptsText, "stacktrace", stacktrace)
  else
    rcall("HSET", jobKey, field, value, "finishedOn", nowText, "atm", attemptsText)
  end
  if hadDeferredFailure then rcall("HDEL", jobKey, "defa") end
  -- Age: the range query runs only when due (`ageDue`, read with the meta hash: a digit string as
  -- long as `now`'s compares as a number would, without converting it).
  if keepAge > 0 and not (ageDue and #ageDue == #nowText and ageDue > nowText) then
    local old = rcall("ZRANGEBYSCORE", targetKey, "-inf", now - keepAge * 1000, "LIMIT", 0, 1000)
    for _, id in ipairs(old) do rcall("DEL", prefix .. id, prefix .. id .. ":logs", prefix .. id .. ":lock") end
    if #old > 0 then rcall("ZREM", targetKey, unpack(old)) end
    -- (With 1000 removed there may be more: the query stays due.)
    if #old < 1000 then
      local first = rcall("ZRANGE", targetKey, 0, 0, "WITHSCORES")
      local oldest = tonumber(first[2]) or now
      rcall("HSET", KEYS[6], ageDueField, string.format("%d", math.floor(oldest) + keepAge * 1000))
    end
  end
  -- Count: the oldest beyond `keepCount` go, popped in the same command that reads them.
  if keepCount > 0 then
    local excess = rcall("ZCARD", targetKey) - keepCount
    if excess > 0 then
      if excess > 1000 then excess = 1000 end
      -- (A literal "1", the usual excess, saves formatting the number.)
      local popped = rcall("ZPOPMIN", targetKey, excess == 1 and "1" or excess)
      for i = 1, #popped, 2 do
        local id = popped[i]
        rcall("DEL", prefix .. id, prefix .. id .. ":logs", prefix .. id .. ":lock")
      end
    end
  end
end

if target == "completed" then
  rcall("XADD", eventsKey, "MAXLEN", "~", cap, "*", "event", "completed", "jobId", jobId, "returnvalue", value, "prev", "active")
else
  rcall("XADD", eventsKey, "MAXLEN", "~", cap, "*", "event", "failed", "jobId", jobId, "failedReason", value, "prev", "active")
  if attemptsMade >= attempts then
    rcall("XADD", eventsKey, "MAXLEN", "~", cap, "*", "event", "retries-exhausted", "jobId", jobId,
      "attemptsMade", attemptsText)
  end
end

if fetchNext then
  local nextId, fields = fetchJob(prefix, nextToken, ARGV[13], now, nowText, ARGV[14], cap, paused, limit)
  if nextId then return { 0, nextId, fields, 0, attached } end
end
if rcall("LLEN", waitKey) == 0 and rcall("LLEN", activeKey) == 0
  and rcall("ZCARD", prioritizedKey) == 0 then
  rcall("XADD", eventsKey, "MAXLEN", "~", cap, "*", "event", "drained")
end
--@include "next-delayed-due.lua"
return { 0, "", {}, nextDue, attached }

extension QueueScript {
    /// Adds one job: standard (`wait`), prioritized or delayed, with custom-id and deduplication handling.
    ///
    /// KEYS: wait, meta, id, delayed, prioritized, pc, marker, events, active.
    /// ARGV: key prefix (`bull:<queue>:`), custom id or "", name, data JSON, opts JSON, timestamp ms,
    /// delay ms, priority, lifo ("1"/"0"), default events cap, dedup id or "", dedup ttl ms (0 = none).
    /// Returns the job id (the existing one for duplicates).
    static let addJob = RedisScript(name: "addJob", source: QueueLuaLibrary.events + #"""
if #ARGV < 12 then return redis.error_reply("ERR flowcraft addJob: expected at least 12 arguments") end
local prefix, customId, name, data, opts = ARGV[1], ARGV[2], ARGV[3], ARGV[4], ARGV[5]
local timestamp, delay, priority = tonumber(ARGV[6]), tonumber(ARGV[7]), tonumber(ARGV[8])
local lifo = ARGV[9] == "1"
local defaultCap, dedupId, dedupTTL = tonumber(ARGV[10]), ARGV[11], tonumber(ARGV[12])
if not isInteger(timestamp) or not isInteger(delay) or delay < 0 or not isInteger(priority)
  or priority < 0 or priority > 2097152 or not isInteger(defaultCap) or not isInteger(dedupTTL) then
  return redis.error_reply("ERR flowcraft addJob: invalid timestamp, delay, priority or ttl")
end
if string.find(customId, ":", 1, true) then
  return redis.error_reply("ERR flowcraft addJob: a job id may not contain ':'")
end

local k = { wait = KEYS[1], meta = KEYS[2], id = KEYS[3], delayed = KEYS[4],
  prioritized = KEYS[5], pc = KEYS[6], marker = KEYS[7], events = KEYS[8], active = KEYS[9] }

local counter = redis.call("INCR", k.id)
local meta = redis.call("HMGET", k.meta, "opts.maxLenEvents", "paused", "concurrency")
local cap = tonumber(meta[1])
if not cap then
  cap = defaultCap
  redis.call("HSET", k.meta, "opts.maxLenEvents", cap)
end

local jobId = customId
if jobId == "" then jobId = tostring(counter) end
local jobKey = prefix .. jobId

if customId ~= "" and redis.call("EXISTS", jobKey) == 1 then
  emit(k.events, cap, "event", "duplicated", "jobId", jobId)
  return jobId
end

if dedupId ~= "" then
  local dedupKey = prefix .. "de:" .. dedupId
  local created
  if dedupTTL > 0 then
    created = redis.call("SET", dedupKey, jobId, "PX", dedupTTL, "NX")
  else
    created = redis.call("SET", dedupKey, jobId, "NX")
  end
  if not created then
    local existing = redis.call("GET", dedupKey) or ""
    emit(k.events, cap, "event", "deduplicated", "jobId", existing,
      "deduplicationId", dedupId, "deduplicatedJobId", jobId)
    return existing
  end
end

local fields = { "name", name, "data", data, "opts", opts, "timestamp", timestamp,
  "delay", delay, "priority", priority }
if dedupId ~= "" then
  fields[#fields + 1] = "deid"
  fields[#fields + 1] = dedupId
end
redis.call("HSET", jobKey, unpack(fields))
emit(k.events, cap, "event", "added", "jobId", jobId, "name", name)

local paused = meta[2] ~= false
if delay > 0 then
  local due = timestamp + delay
  redis.call("ZADD", k.delayed, due * 4096 + counter % 4096, jobId)
  emit(k.events, cap, "event", "delayed", "jobId", jobId, "delay", due)
  if not paused then
    local first = redis.call("ZRANGE", k.delayed, 0, 0, "WITHSCORES")
    redis.call("ZADD", k.marker, math.floor(tonumber(first[2]) / 4096), "1")
  end
  return jobId
end

if priority > 0 then
  local seq = redis.call("INCR", k.pc) % 4294967296
  redis.call("ZADD", k.prioritized, priority * 4294967296 + seq, jobId)
elseif lifo then
  redis.call("RPUSH", k.wait, jobId)
else
  redis.call("LPUSH", k.wait, jobId)
end
local limit = tonumber(meta[3])
if not paused and not (limit and redis.call("LLEN", k.active) >= limit) then
  redis.call("ZADD", k.marker, 0, "0")
end
emit(k.events, cap, "event", "waiting", "jobId", jobId)
return jobId
"""#)
}

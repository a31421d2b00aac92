extension QueueScript {
    /// Promotes due delayed jobs, then takes the next job (plain before prioritized) into `active`
    /// under a lock.
    ///
    /// KEYS: wait, active, prioritized, delayed, events, meta, pc, marker, stalled.
    /// ARGV: key prefix, lock token, lock duration ms, now ms, worker name.
    /// Returns `{jobId, {field, value, …}, 0}` or `{"", {}, nextDelayedDueMs}` (0 = none delayed).
    static let moveToActive = RedisScript(
        name: "moveToActive",
        source: QueueLuaLibrary.prelude + QueueLuaLibrary.integerChecks + QueueLuaLibrary.fetch + #"""
if #ARGV < 5 then return redis.error_reply("ERR flowcraft moveToActive: expected at least 5 arguments") end
local prefix, token = ARGV[1], ARGV[2]
local lockDuration, now = tonumber(ARGV[3]), tonumber(ARGV[4])
if token == "" or not isInteger(lockDuration) or lockDuration <= 0 or not isInteger(now) then
  return redis.error_reply("ERR flowcraft moveToActive: invalid token, lock duration or time")
end

"""# + QueueLuaLibrary.readMeta + #"""
local id, fields = fetchJob(prefix, token, ARGV[3], now, ARGV[4], ARGV[5], cap, paused, limit)
if id then return { id, fields, 0 } end

"""# + QueueLuaLibrary.nextDelayedDue + #"""
return { "", {}, nextDue }
"""#)
}

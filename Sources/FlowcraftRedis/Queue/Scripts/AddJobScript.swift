extension QueueScript {
    /// Adds one job: standard (`wait`), prioritized or delayed, with custom-id and deduplication handling.
    ///
    /// KEYS: wait, meta, id, delayed, prioritized, pc, marker, events, active.
    /// ARGV: key prefix (`bull:<queue>:`), custom id or "", name, data JSON, opts JSON, timestamp ms,
    /// delay ms, priority, lifo ("1"/"0"), default events cap, dedup id or "", dedup ttl ms (0 = none).
    /// Returns the job id (the existing one for duplicates).
    static let addJob = RedisScript(
        name: "addJob", source: QueueLuaLibrary.prelude + QueueLuaLibrary.numbers + QueueLuaLibrary.add + QueueLuaLibrary.addArguments + #"""
if #ARGV < 12 then return redis.error_reply("ERR flowcraft addJob: expected at least 12 arguments") end
return addJobFromArguments(KEYS, ARGV)
"""#)
}

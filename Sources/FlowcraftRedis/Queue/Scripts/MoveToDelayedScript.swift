extension QueueScript {
    /// Moves a failed active job to the delayed set to be retried after its backoff
    /// (`Lua/move-to-delayed.lua`). Returns 0, or a ``LostLock`` code.
    static let moveToDelayed = LuaScriptAssembler.script(name: "moveToDelayed", file: "move-to-delayed.lua")

    /// ``moveToDelayed``'s keys and arguments.
    struct MoveToDelayedCall: LuaScriptCall {
        static let keyNames = ["delayed", "active", "events", "meta", "marker", "stalled"]
        static let argumentNames = ["prefix", "jobId", "token", "now", "delay", "failedReason", "stacktrace", "countsAttempt"]

        var queue: QueueKeys
        var jobID: String
        /// "0" skips the lock check.
        var token: String
        /// Milliseconds.
        var now: Int
        /// Milliseconds.
        var delay: Int
        var failedReason: String
        /// JSON.
        var stacktrace: String
        /// False for a hand back to another worker: the job's attempts made (`atm`) stay as they are.
        var countsAttempt = true

        var keys: [String] { [queue.delayed, queue.active, queue.events, queue.meta, queue.marker, queue.stalled] }
        var arguments: [String] { [queue.base, jobID, token, String(now), String(delay), failedReason, stacktrace, countsAttempt ? "1" : "0"] }
    }
}

extension QueueScript {
    /// Puts a failed active job straight back to `wait`/`prioritized` for another attempt (no
    /// backoff; `Lua/retry-job.lua`). Returns 0, or a ``LostLock`` code.
    static let retryJob = LuaScriptAssembler.script(name: "retryJob", file: "retry-job.lua")

    /// ``retryJob``'s keys and arguments.
    struct RetryJobCall: LuaScriptCall {
        static let keyNames = QueueKeys.fetchKeyNames
        static let argumentNames = ["prefix", "jobId", "token", "failedReason", "stacktrace"]

        var queue: QueueKeys
        var jobID: String
        /// "0" skips the lock check.
        var token: String
        var failedReason: String
        /// JSON.
        var stacktrace: String

        var keys: [String] { queue.fetchKeys }
        var arguments: [String] { [queue.base, jobID, token, failedReason, stacktrace] }
    }
}

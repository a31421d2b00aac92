extension QueueScript {
    /// Promotes due delayed jobs, then takes the next job (plain before prioritized) into `active`
    /// under a lock (`Lua/move-to-active.lua`). Returns `{jobId, {field, value, …}, 0}` or
    /// `{"", {}, nextDelayedDueMs}` (0 = none delayed).
    static let moveToActive = LuaScriptAssembler.script(name: "moveToActive", file: "move-to-active.lua")

    /// ``moveToActive``'s keys and arguments.
    struct MoveToActiveCall: LuaScriptCall {
        static let keyNames = QueueKeys.fetchKeyNames
        static let argumentNames = ["prefix", "token", "lockDuration", "now", "workerName"]

        var queue: QueueKeys
        var token: String
        /// Milliseconds.
        var lockDuration: Int
        /// Milliseconds.
        var now: Int
        var workerName: String

        var keys: [String] { queue.fetchKeys }
        var arguments: [String] { [queue.base, token, String(lockDuration), String(now), workerName] }
    }
}

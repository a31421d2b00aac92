extension QueueScript {
    /// Renews the locks of all jobs a worker holds, in one call per renewal tick
    /// (`Lua/extend-locks.lua`). Returns the ids whose lock was no longer held with that token (lost
    /// to stalled recovery).
    static let extendLocks = LuaScriptAssembler.script(name: "extendLocks", file: "extend-locks.lua")

    /// ``extendLocks``'s keys and arguments.
    struct ExtendLocksCall: LuaScriptCall {
        static let keyNames = ["stalled"]
        /// Then job id / token pairs.
        static let argumentNames = ["prefix", "lockDuration"]

        var queue: QueueKeys
        /// Milliseconds.
        var lockDuration: Int
        /// Job id → lock token.
        var locks: [String: String]

        var keys: [String] { [queue.stalled] }

        var arguments: [String] {
            var arguments = [queue.base, String(lockDuration)]
            arguments.reserveCapacity(2 + locks.count * 2)
            for (id, token) in locks {
                arguments.append(id)
                arguments.append(token)
            }
            return arguments
        }
    }
}

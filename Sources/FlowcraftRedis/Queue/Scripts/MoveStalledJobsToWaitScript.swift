extension QueueScript {
    /// The stalled sweep (`Lua/move-stalled-jobs-to-wait.lua`): jobs whose lock lapsed since the
    /// previous sweep go back to `wait` (or get a deferred failure after too many stalls); then every
    /// active job becomes a candidate for the next sweep. `stalled-check` limits the work to one sweep
    /// per interval across all workers. Returns the ids that were recovered.
    static let moveStalledJobsToWait = LuaScriptAssembler.script(
        name: "moveStalledJobsToWait", file: "move-stalled-jobs-to-wait.lua")

    /// ``moveStalledJobsToWait``'s keys and arguments.
    struct MoveStalledJobsToWaitCall: LuaScriptCall {
        static let keyNames = ["stalled", "wait", "active", "stalled-check", "meta", "marker", "events"]
        static let argumentNames = ["prefix", "maxStalledCount", "now", "stalledInterval"]

        var queue: QueueKeys
        var maxStalledCount: Int
        /// Milliseconds.
        var now: Int
        /// Milliseconds.
        var stalledInterval: Int

        var keys: [String] {
            [queue.stalled, queue.wait, queue.active, queue.stalledCheck, queue.meta, queue.marker, queue.events]
        }

        var arguments: [String] {
            [queue.base, String(maxStalledCount), String(now), String(stalledInterval)]
        }
    }
}

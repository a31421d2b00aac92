extension RunAbortScript {
    /// ``RunAbortScript/script``'s keys and arguments (`Lua/abort-run.lua`).
    struct Call: LuaScriptCall {
        static let keyNames = NodeCompletionScript.Call.keyNames
        static let argumentNames = [
            "reason", "nodeId", "now", "stateTTL", "queuePrefix", "jobName", "blueprintId", "historyCap", "nameWrongTypes",
        ]

        var runKeys: DistributedKeys
        var queueName: String
        var reason: String
        var nodeID: String
        /// Milliseconds.
        var now: Int
        /// Seconds; 0 keeps the state.
        var stateTTL: Int
        var queuePrefix: String
        var jobName: String
        var blueprintID: String
        /// The run history's cap of events per run; 0 records no history.
        var historyCap: Int = 0
        /// Whether the reason names every run key and index of the wrong Redis type (a `TYPE` call
        /// each: for a run failed over a WRONGTYPE error).
        var namesWrongTypedKeys = false

        var keys: [String] { runKeys.scriptKeys(queue: queueName) }
        var arguments: [String] {
            [reason, nodeID, String(now), String(stateTTL), queuePrefix, jobName, blueprintID, String(historyCap),
             namesWrongTypedKeys ? "1" : "0"]
        }
    }
}

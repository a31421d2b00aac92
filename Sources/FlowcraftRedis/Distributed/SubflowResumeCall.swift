extension SubflowResumeScript {
    /// ``SubflowResumeScript/script``'s keys and arguments (`Lua/resume-subflow-node.lua`).
    struct Call: LuaScriptCall {
        /// The last, the child's run hash, only when the resume is conditional on the child.
        static let keyNames = ["run", "awaiting", "active-runs", "child-run"]
        static let argumentNames = ["instance", "now", "runId"]

        var runID: String
        var node: NodeInstance
        /// Resume only while this run is not awaiting.
        var childRunID: String?
        var queueName: String
        /// Milliseconds.
        var now: Int

        var keys: [String] {
            let keys = DistributedKeys(runID: runID)
            var scriptKeys = [keys.run, keys.awaiting, DistributedKeys.activeRuns(queue: queueName)]
            if let childRunID { scriptKeys.append(DistributedKeys(runID: childRunID).run) }
            return scriptKeys
        }
        var arguments: [String] { [node.description, String(now), runID] }
    }
}

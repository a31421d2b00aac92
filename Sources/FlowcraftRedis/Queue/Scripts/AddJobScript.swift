extension QueueScript {
    /// Adds one job: standard (`wait`), prioritized or delayed, with custom-id and deduplication
    /// handling (`Lua/add-job.lua`). Returns the job id (the existing one for duplicates).
    static let addJob = LuaScriptAssembler.script(name: "addJob", file: "add-job.lua")

    /// ``addJob``'s keys and arguments.
    struct AddJobCall: LuaScriptCall {
        static let keyNames = ["wait", "meta", "id", "delayed", "prioritized", "pc", "marker", "events", "active"]
        static let argumentNames = [
            "prefix", "customId", "name", "data", "opts", "timestamp", "delay", "priority", "lifo",
            "defaultEventsCap", "dedupId", "dedupTTL",
        ]

        var queue: QueueKeys
        /// The job id, or "" for the next number.
        var customID: String
        var name: String
        /// The job's data, JSON.
        var data: String
        /// The job's options, JSON.
        var options: String
        /// Milliseconds.
        var timestamp: Int
        /// Milliseconds.
        var delay: Int
        var priority: Int
        var lifo: Bool
        /// The events cap written to the meta hash when it has none.
        var defaultEventsCap: Int
        /// "" for none.
        var deduplicationID: String
        /// Milliseconds; 0 = no expiry.
        var deduplicationTTL: Int

        var keys: [String] {
            [
                queue.wait, queue.meta, queue.id, queue.delayed, queue.prioritized, queue.priorityCounter,
                queue.marker, queue.events, queue.active,
            ]
        }

        var arguments: [String] {
            [
                queue.base, customID, name, data, options, String(timestamp), String(delay), String(priority),
                lifo ? "1" : "0", String(defaultEventsCap), deduplicationID, String(deduplicationTTL),
            ]
        }
    }
}

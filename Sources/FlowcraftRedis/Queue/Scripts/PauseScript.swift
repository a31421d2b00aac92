extension QueueScript {
    /// Pauses or resumes the queue (`Lua/pause.lua`). A paused queue keeps accepting jobs into `wait`
    /// but has no marker, so workers stay idle; resuming moves a legacy `paused` list back and
    /// restores the marker.
    static let pause = LuaScriptAssembler.script(name: "pause", file: "pause.lua")

    /// ``pause``'s keys and arguments.
    struct PauseCall: LuaScriptCall {
        enum Action: String, Sendable { case pause, resume }

        static let keyNames = ["meta", "marker", "events", "wait", "paused", "delayed", "prioritized"]
        static let argumentNames = ["action"]

        var queue: QueueKeys
        var action: Action

        var keys: [String] {
            [queue.meta, queue.marker, queue.events, queue.wait, queue.paused, queue.delayed, queue.prioritized]
        }
        var arguments: [String] { [action.rawValue] }
    }
}

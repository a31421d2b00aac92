import FlowcraftModel

extension NodeCompletionScript {
    /// The completion script's keys and arguments (`Lua/commit-node.lua`), filled by name: a fixed
    /// header of 19 arguments, then the delta pairs, deleted keys, start entries and arrival records
    /// whose counts the header carries.
    struct Call: LuaScriptCall {
        /// What the call does.
        enum Mode: String, Sendable {
            case start, complete, await, fail, cancel
            /// `cancel` of a subflow's child run because its parent ended (the cascade of a parent's
            /// failure or cancellation): changes nothing (`parent-running`) while the parent runs
            /// again, since then a redrive started this child anew under the same id and the cascade
            /// is stale, and (`gone`) while the child's keys do not exist (a redrive deleted the old
            /// child after the cascade read it). Checked in the same script call as the cancel.
            case cancelChild = "cancel-child"
            /// `complete` for a node that is never parked (not a `wait` or `subflow` node): the script
            /// skips the awaiting bookkeeping.
            case advance
        }

        static let keyNames = [
            "state", "run", "done", "pending", "awaiting", "fan-in", "join-lock", "active-runs", "status",
        ]
        static let argumentNames = [
            "mode", "instance", "now", "stateTTL", "queuePrefix", "jobName", "blueprintId", "blueprintVersion",
            "defaultEventsCap", "reason", "deltaCount", "deletedCount", "startCount", "recordCount", "attempts",
            "statusPayloadLimit", "runContextLimit", "historyCap", "historyCount",
        ]

        var runKeys: DistributedKeys
        var queueName: String
        var mode: Mode
        /// The committed `node#iteration`, "" for a start.
        var instance: String
        /// Milliseconds (the finish step uses the finish call's own time instead).
        var now: Int
        /// Seconds; 0 keeps the state.
        var stateTTL: Int
        /// The queue's key prefix (`bull:<queue>:`), which names the queue keys of the successors' adds.
        var queuePrefix: String
        var jobName: String
        var blueprintID: String
        /// "" for none.
        var blueprintVersion: String
        /// A failure's reason; in `start` mode a child run's ``SubflowParentLink`` JSON, or "".
        var reason: String
        /// Attempts made by a failed node.
        var attempts: Int
        /// The largest final-status payload in bytes; 0 = no limit.
        var statusPayloadLimit: Int
        /// The largest run context in bytes (``SizeLimits/maximumRunContextBytes``); 0 = no limit. The
        /// script counts it in the run hash's `contextBytes`.
        var runContextLimit: Int = 0
        /// The context delta: fields and their values (encoded by ``StateValueCoding``).
        var values: [(String, JSONValue)]
        var deleted: [String]
        var starts: [String]
        var records: [ArrivalRecord]
        /// The run history's cap of events per run; 0 records no history.
        var historyCap: Int = 0
        /// History entries (``RedisHistoryEntry``) appended when the change commits.
        var history: [String] = []

        var keys: [String] { runKeys.scriptKeys(queue: queueName) }

        var arguments: [String] {
            var arguments: [String] = []
            arguments.reserveCapacity(
                Self.argumentNames.count + values.count * 2 + deleted.count + starts.count
                    + records.count * NodeCompletionScript.recordWidth + history.count)
            arguments += [
                mode.rawValue, instance, String(now), String(stateTTL), queuePrefix, jobName, blueprintID,
                blueprintVersion, String(QueueEventsStream.defaultMaximumLength), reason, String(values.count),
                String(deleted.count), String(starts.count), String(records.count), String(attempts),
                String(statusPayloadLimit), String(runContextLimit), String(historyCap), String(history.count),
            ]
            for (field, value) in values {
                arguments.append(field)
                arguments.append(StateValueCoding.encode(value))
            }
            arguments += deleted
            arguments += starts
            for record in records { record.append(to: &arguments) }
            arguments += history
            return arguments
        }
    }
}

import Flowcraft

/// Values the Swift side and the Lua scripts must agree on, written `{{NAME}}` in the `.lua` files and
/// substituted when a script is assembled (``LuaScriptAssembler``): one definition each.
enum LuaConstants {
    static let values: [String: String] = [
        // The events stream's cap when the queue's meta hash names none (`opts.maxLenEvents`).
        "DEFAULT_EVENTS_CAP": String(QueueEventsStream.defaultMaximumLength),
        // Context keys under this prefix are the engines' bookkeeping, left out of a final status.
        "RESERVED_CONTEXT_PREFIX": ContextKeys.reservedPrefix,
        "RESERVED_CONTEXT_PREFIX_LENGTH": String(ContextKeys.reservedPrefix.utf8.count),
        // Where the run id starts in a run's state key (`string.sub(stateKey, RUN_ID_START)`).
        "RUN_ID_START": String(DistributedKeys.statePrefix.utf8.count + 1),
        // Run history (DistributedKeys): the list and attempts keys are the prefix and the run id; the
        // indexes are named from the queue, read after the active-runs key's prefix.
        "HISTORY_KEY_PREFIX": DistributedKeys.historyPrefix,
        // A run's hash is the prefix and the run id (a child's parent's, read by `cancel-child`).
        "RUN_KEY_PREFIX": DistributedKeys.runPrefix,
        "HISTORY_ATTEMPTS_KEY_PREFIX": DistributedKeys.historyAttemptsPrefix,
        "HISTORY_INDEX_PREFIX": DistributedKeys.historyIndexPrefix,
        "QUEUE_NAME_START": String(DistributedKeys.activeRunsPrefix.utf8.count + 1),
        // The finish script's own KEYS and ARGV: a finish step's follow them.
        "FINISH_KEY_COUNT": String(QueueScript.MoveToFinishedCall.keyNames.count),
        "FINISH_ARGUMENT_COUNT": String(QueueScript.MoveToFinishedCall.argumentNames.count),
        // Where a failed run parks its pending and awaiting entries until a redrive (+ run id).
        "REDRIVE_PENDING_PREFIX": DistributedKeys.parkedPendingPrefix,
        "REDRIVE_AWAITING_PREFIX": DistributedKeys.parkedAwaitingPrefix,
    ]

    /// `line` with every `{{NAME}}` replaced by its value (a name: capitals, digits and `_`, starting
    /// with a capital); `{{` not followed by a name and `}}` is left alone (a Lua table in a table).
    static func substitute(in line: Substring, file: String) throws(LuaAssemblyError) -> Substring {
        guard line.contains("{{") else { return line }
        var output = ""
        var rest = line
        while let open = rest.range(of: "{{") {
            output += rest[..<open.lowerBound]
            let afterOpen = rest[open.upperBound...]
            guard let close = afterOpen.range(of: "}}") else { break }
            let name = afterOpen[..<close.lowerBound]
            guard let first = name.first, ("A"..."Z").contains(first),
                name.allSatisfy({ $0 == "_" || ("A"..."Z").contains($0) || ("0"..."9").contains($0) })
            else {
                output += "{{"
                rest = afterOpen
                continue
            }
            guard let value = values[String(name)] else { throw .unknownConstant(String(name), file: file) }
            output += value
            rest = afterOpen[close.upperBound...]
        }
        output += rest
        return Substring(output)
    }
}

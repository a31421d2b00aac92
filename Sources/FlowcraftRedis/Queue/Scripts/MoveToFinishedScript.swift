extension QueueScript {
    /// Finishes an active job as completed or failed (final), applies retention, emits the events and
    /// optionally fetches the next job in the same call, so a busy worker makes one call per job
    /// (`Lua/move-to-finished.lua`, which documents the reply).
    static let moveToFinished = moveToFinishedScript(attaching: nil)

    /// ``moveToFinished`` with a ``FinishStep`` built in: the step runs after the lock check and
    /// before the script's first write, so the step's writes and the job's finish happen together or
    /// not at all. The step's keys and arguments follow ``MoveToFinishedCall``'s; its reply is appended
    /// to the script's reply.
    static func moveToFinished(attaching step: FinishStep.Lua) -> RedisScript {
        moveToFinishedScript(attaching: step)
    }

    private static func moveToFinishedScript(attaching step: FinishStep.Lua?) -> RedisScript {
        let name = step.map { "moveToFinished+\($0.name)" } ?? "moveToFinished"
        let call: String
        do throws(LuaAssemblyError) {
            if let step {
                call = try LuaScriptAssembler.source("move-to-finished-step-call.lua", slots: ["step": step.call])
            } else {
                call = try LuaScriptAssembler.source("move-to-finished-without-step.lua")
            }
        } catch {
            return LuaScriptAssembler.failingScript(name: name, error)
        }
        return LuaScriptAssembler.script(
            name: name, file: "move-to-finished.lua",
            slots: ["step-definitions": step?.definitions ?? "", "step-call": call])
    }

    /// ``moveToFinished``'s keys and arguments (a step's follow them).
    struct MoveToFinishedCall: LuaScriptCall {
        /// Whether the job completed or failed.
        enum Target: String, Sendable {
            case completed, failed
        }

        static let keyNames = QueueKeys.fetchKeyNames + ["target"]
        static let argumentNames = [
            "prefix", "jobId", "token", "now", "target", "value", "stacktrace", "keepCount", "keepAge", "attempts",
            "fetchNext", "nextToken", "lockDuration", "workerName", "dedupId", "hadDeferredFailure", "attemptsMade",
        ]

        var queue: QueueKeys
        var jobID: String
        /// "0" skips the lock check.
        var token: String
        /// Milliseconds.
        var now: Int
        var target: Target
        /// The `returnvalue` JSON, or the `failedReason`.
        var value: String
        /// JSON, or "" to leave the stored one.
        var stacktrace: String
        /// -1 keeps all, 0 removes the job at once.
        var keepCount: Int
        /// Seconds; 0 = no age limit.
        var keepAge: Int
        /// The job's attempts.
        var attempts: Int
        /// The lock token of the next job, `nil` not to fetch one.
        var nextToken: String?
        /// Milliseconds.
        var lockDuration: Int
        var workerName: String
        /// The job's `deid`, "" for none.
        var deduplicationID: String
        /// Whether the job carried `defa`.
        var hadDeferredFailure: Bool
        /// The job's `atm` as fetched ("0" when absent; the script sets `atm` + 1, reading it only when
        /// this is no integer).
        var attemptsMade: String

        var keys: [String] {
            var keys = queue.fetchKeys
            keys.append(target == .completed ? queue.completed : queue.failed)
            return keys
        }

        var arguments: [String] {
            [
                queue.base, jobID, token, String(now), target.rawValue, value, stacktrace, String(keepCount),
                String(keepAge), String(attempts), nextToken == nil ? "0" : "1", nextToken ?? "",
                String(lockDuration), workerName, deduplicationID, hadDeferredFailure ? "1" : "0", attemptsMade,
            ]
        }
    }

    /// The meta hash field holding when the age retention of `target` (`completed` or `failed`) with
    /// a keep age of `ageSeconds` next needs its range query (`Lua/move-to-finished.lua`).
    static func ageRetentionDueField(target: String, ageSeconds: Int) -> String {
        "flowcraft:age-due:\(target):\(ageSeconds)"
    }
}

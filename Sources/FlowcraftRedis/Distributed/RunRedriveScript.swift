import Flowcraft

/// The atomic step of ``WorkflowClient/redrive(_:)`` (`Lua/redrive-run.lua`): a run a node failed
/// becomes `running` again, at most once per failure.
///
/// In one call it checks that the run is `failed` (two concurrent redrives: the second finds it
/// `running` and is refused) with the blueprint version the client validated and a recorded failed
/// entry; then it puts back the pending and awaiting entries the failure parked (``DistributedKeys/parkedPending``),
/// moves the failed entry from the done set back to pending (its node runs again), takes the given
/// `subflow` entries out of `awaiting` and deletes the old child runs' keys (their nodes start new
/// children), bumps `redriveCount` in the run hash, deletes the final status (written again at the
/// next end), keeps every key of the run (no expiry) and puts it back in the active-runs index. The
/// jobs of the pending entries are then enqueued by the reconciler's rule (``WorkflowReconciler``:
/// a pending entry whose job is gone or failed gets a job again), by the client right after this call,
/// or by the next reconciler pass if the client died in between.
enum RunRedriveScript {
    static let script = LuaScriptAssembler.script(name: "flowcraftRedriveRun", file: "redrive-run.lua")

    /// ``RunRedriveScript/script``'s keys and arguments (`Lua/redrive-run.lua`).
    struct Call: LuaScriptCall {
        static let keyNames = NodeCompletionScript.Call.keyNames + [
            "parked-pending", "parked-awaiting", "queue-completed", "queue-failed",
        ]
        static let argumentNames = ["expectedVersion", "now", "unparkedCount", "clearedJobCount", "redrivenNodes"]

        var runKeys: DistributedKeys
        var queueName: String
        /// The run's blueprint version as the client validated it (`nil`: unversioned).
        var expectedVersion: String?
        /// Milliseconds.
        var now: Int
        /// `subflow` entries to take out of `awaiting`: they run again.
        var unparked: [NodeInstance]
        /// The old child runs to delete (every key of each).
        var clearedRuns: [String]
        /// The old child runs' job ids: their hashes are deleted, so the new children's jobs (same ids)
        /// are added.
        var clearedJobs: [String]
        var queueKeys: QueueKeys
        /// The nodes that run again, as the history's `redriven` event names them (the failed node
        /// first, then the interrupted ones): `RedriveRules.rerunNodeIDs(failed:interrupted:)`.
        var redrivenNodes: [String]

        var keys: [String] {
            var keys = runKeys.scriptKeys(queue: queueName) + [
                runKeys.parkedPending, runKeys.parkedAwaiting, queueKeys.completed, queueKeys.failed,
            ]
            for runID in clearedRuns {
                let child = DistributedKeys(runID: runID)
                keys += [child.state, child.status] + child.coordinationKeys
            }
            for job in clearedJobs { keys += [queueKeys.job(job), queueKeys.job(job) + ":logs"] }
            return keys
        }
        var arguments: [String] {
            let nodes: JSONValue = .array(redrivenNodes.map { .string($0) })
            let head: [String] = [
                expectedVersion ?? "", String(now), String(unparked.count), String(clearedJobs.count), nodes.description,
            ]
            return head + unparked.map(\.description) + clearedJobs
        }
    }

    /// What the script did.
    enum Outcome: Sendable, Hashable {
        case redriven(count: Int, failedEntry: String)
        case unknown
        case refused(status: String)
        case versionChanged(runVersion: String?)
        case nothingToRerun

        init(reply: RedisReply) {
            let items = reply.array ?? []
            let code = items.first?.string ?? ""
            let detail = items.count > 1 ? items[1] : nil
            switch code {
            case "redriven":
                self = .redriven(count: detail?.int ?? 0, failedEntry: items.count > 2 ? items[2].string ?? "" : "")
            case "refused": self = .refused(status: detail?.string ?? "")
            case "version": self = .versionChanged(runVersion: detail?.string.flatMap { $0.isEmpty ? nil : $0 })
            case "nothing": self = .nothingToRerun
            default: self = .unknown
            }
        }
    }
}

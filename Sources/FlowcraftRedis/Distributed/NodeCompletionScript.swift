import Flowcraft

/// The Lua behind every change of a distributed run's progress: starting a run, committing a node's
/// completion, parking a `wait` node, failing and cancelling a run — as a script of its own
/// (``script``) and as a step of the queue's finish script (``finishingScript``).
///
/// Committing is atomic and idempotent, keyed by the completed `node#iteration`: the output and context
/// delta, the join bookkeeping (a *set* of arrived predecessors per join), the enqueuing of every
/// successor whose join is satisfied (the queue's own `addJob` logic, so the job hash, `wait` list,
/// marker and events are exactly what BullMQ writes), the pending-work set and the active-runs index
/// change together or not at all. A redelivered job finds its entry in the done set and changes nothing.
///
/// A node job's completion runs as a ``FinishStep`` inside the queue's finish script
/// (``finishingScript``): the commit, the job's completion and the fetch of the worker's next job are
/// one call, so no crash can separate a node's commit from its job's completion. The other changes
/// (starting a run, parking, failing, cancelling, batch workers, dynamic nodes) call ``script``.
///
/// Routing is decided in Swift by the runtime before the call; the script receives *arrival records*
/// — "predecessor P reached target T, live or skipped" — and applies them. Skipped arrivals count
/// towards `all` joins (dead-path elimination); a target whose arrivals are complete with none live is
/// itself dead, and the records listed under it (`from` = that target) are applied in turn.
///
/// The keys and arguments, filled by name by ``Call`` (`Lua/commit-node.lua` holds the body):
///
/// KEYS: 1 state hash, 2 run hash, 3 done set, 4 pending set, 5 awaiting set, 6 fan-in set,
/// 7 join-lock hash (per join: one counter, arrivals + 2^20 × live arrivals; `any` fired flags), 8 active-runs index, 9 final status key.
/// The queue's add keys (wait, meta, id, delayed, prioritized, pc, marker, events, active) are named
/// from the queue key prefix (ARGV 5), as the job keys are: passing them cost more than 1 % of the
/// Redis CPU per node execution (each argument is a Lua string and a table slot per call), and the
/// script's keys span hash slots anyway (run keys and queue keys), so it is no cluster script.
///
/// ARGV: 1 mode (`start` | `complete` | `advance` | `await` | `fail` | `cancel` | `cancel-child`;
/// `advance` is `complete` for a node that is never parked — not a `wait` or `subflow` node —, which
/// skips the awaiting-set bookkeeping; `cancel-child` is `cancel` unless the run's parent runs),
/// 2 the committed `node#iteration`,
/// 3 now (ms), 4 state TTL seconds (0 = keep), 5 queue key prefix, 6 job name, 7 blueprint id,
/// 8 blueprint version or "", 9 default events cap, 10 failure reason (in `start` mode: the
/// ``SubflowParentLink`` JSON of a child run, or ""), 11 D delta pairs, 12 X deleted
/// keys, 13 S start entries, 14 R arrival records, 15 attempts made by a failed node, 16 the largest
/// final-status payload in bytes (0 = no limit; a larger context is stored as
/// `{"truncated":true,"bytes":N}`), 17 the largest run context in bytes (0 = no limit), 18 the run
/// history's cap of events per run ("0" records no history), 19 H history entries; then D×(field,
/// JSON value), X fields, S entries, R×10 record fields: from, target `node#iteration`, source, live
/// ("1"/"0"), required arrivals, join (`all`/`any`/`each`, or `once`: an `all` join of one whose
/// arrivals are deduplicated — a shared fallback's), delay ms, job id, job data JSON, job opts JSON —
/// and H history entries (``RedisHistoryEntry``).
///
/// Run history (``DistributedHistory``): the history entries are appended (`RPUSH`) to the run's list
/// `flowcraft:history:<runId>` when the change commits, and the script adds what it decides itself —
/// a pause when the run settles awaiting, the run's end in `finishRun` (with the end indexed by status
/// and the history given the state TTL); a start also indexes the run by start time and blueprint
/// and, at most once a minute per index, trims index entries older than the state TTL.
///
/// A child run (its run hash has a `parent` link) tells its parent's subflow node when it ends or
/// settles as `awaiting`: the same call adds a job for that node, with an id unique to the
/// notification (numbered by the run's commits so far, the size of its done set), so no child ever ends
/// without its parent hearing of it. Runs without a parent pay one HGET when they end, nothing per node.
///
/// The final status is `{"status":"completed","payload":{context}}` (the context without the engines'
/// bookkeeping: keys under ``ContextKeys/reservedPrefix`` are left out), `{"status":"failed","reason":…,
/// "nodeId":…,"attempts":…,"payload":{context}}` (a join that can never fire when no work is left:
/// `nodeId` is the join, `arrived` its arrived predecessors, with `blueprintId`/`blueprintVersion`
/// so readers render the full message), or `{"status":"cancelled","reason":…,"payload":{context}}`.
///
/// Returns `{code, runStatus, enqueued[, died, stalled[, parked[, limitFailure]]]}` — the others (for events) list the
/// targets that died, when the run completed the joins left waiting with a live arrival, and when a
/// completion left the run awaiting the awaiting entries (left off when empty); code is `committed`,
/// `duplicate` (already committed),
/// `finished` (the run already ended), `parent-running` (a `cancel-child` of a run whose parent
/// runs), `gone` (a change, without start entries, of a run whose keys are gone), `unscheduled` (the entry is not pending) or `exists` (start of
/// an existing run).
enum NodeCompletionScript {
    /// `Lua/complete-node.lua`: the commit as a script of its own. The queue's add logic is included,
    /// so successors are added by exactly the code the queue uses (no second copy of the BullMQ add
    /// logic to keep in step); only the helpers the script calls are included (every `local function`
    /// is a closure created anew by each call).
    static let script = LuaScriptAssembler.script(name: "flowcraftCompleteNode", file: "complete-node.lua")

    static let recordWidth = 10

    /// The commit as a step of the queue's finish script (``FinishStep``): a node job's commit, the
    /// job's completion and the fetch of the next job in one call. The queue keys the finish script
    /// already has (and its meta read) serve the successors' adds; the job's `returnvalue` ends with
    /// the commit's code and the run's status (`Lua/complete-node-step-*.lua`).
    static let finishStep = FinishStep.Lua(
        name: "flowcraftCompleteNode",
        definitions: stepSource("complete-node-step-definitions.lua"),
        call: stepSource("complete-node-step-call.lua"))

    /// How the step's refusal starts when its commit met a run key of the wrong Redis type and it ended
    /// the run `failed` instead (`Lua/complete-node-step-call.lua`); the reason follows.
    static let runEndedRefusal = FinishStep.refusalPrefix + "completeNode: run ended: "

    /// How the script's error starts when its change met a run key of the wrong Redis type and it
    /// ended the run `failed` instead (`Lua/complete-node.lua`); the reason follows.
    static let runEndedError = "ERR flowcraft completeNode: run ended: "

    /// The finish script with the commit built in.
    static let finishingScript = QueueScript.moveToFinished(attaching: finishStep)

    /// A piece of the step's Lua; a piece that cannot be assembled makes the step refuse every call
    /// with an error naming the problem (a test assembles every script).
    private static func stepSource(_ file: String) -> String {
        do {
            return try LuaScriptAssembler.source(file)
        } catch {
            return "attached = redis.error_reply("
                + LuaScriptAssembler.luaLiteral("\(FinishStep.refusalPrefix)completeNode: \(error)") + ")\n"
        }
    }
}

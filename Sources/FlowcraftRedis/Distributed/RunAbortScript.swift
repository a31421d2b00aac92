/// Ends a run `failed` when one of its jobs fails for good before its node could commit (the job's
/// blueprint or version is unknown to the worker, its node is not in the blueprint, a run key holds
/// the wrong Redis type): the final status `{"status":"failed","reason":…,"nodeId":…}` with the state
/// TTL, the run hash marked `failed`, the pending/awaiting/join keys deleted and the run taken out of
/// the active-runs index, so `status --wait` returns and the reconciler no longer re-adds the job.
///
/// A script of its own rather than the completion script's `fail` mode: that mode is the hot path's
/// code and assumes the run's keys are what the engine wrote (a wrong-typed key stops it half-way),
/// and it fails a run only through a pending entry, which a refused job may not have. This one checks
/// each key's `TYPE` first: a run hash of the wrong type is replaced (the engine owns it), the
/// coordination keys are deleted whatever their type (`DEL` takes any), the state key — the user's
/// context — is kept but expires with the state TTL, as does every key the run leaves.
///
/// It writes nothing for a run that does not exist (no run hash, no state, no pending set: a job that
/// names an unknown run is only failed) and changes nothing for a run that already ended. A child run
/// tells its parent's subflow node, as the completion script does when a run ends.
///
/// Keys and arguments by name: ``Call`` (`Lua/abort-run.lua`).
/// KEYS: as ``DistributedKeys/scriptKeys(queue:)`` (state, run, done, pending, awaiting, fan-in,
/// join-lock, active-runs index, final status). ARGV: 1 reason, 2 node id, 3 now (ms), 4 state TTL
/// seconds (0 = keep), 5 queue key prefix, 6 job name, 7 blueprint id, 8 the run history's cap of
/// events per run ("0": no history; else the run's end is appended to its history and indexed by
/// status, and the history expires with the state TTL), 9 "1" to name the run's keys of the wrong
/// Redis type in the reason.
///
/// Returns `{code, status, reason}`: `failed` (the run was failed now), `finished` (it had ended: its
/// status) or `unknown` (no such run; nothing written); the reason as written.
enum RunAbortScript {
    static let script = LuaScriptAssembler.script(name: "flowcraftAbortRun", file: "abort-run.lua")

    /// What the script did (the first element of its reply).
    enum Outcome: String, Sendable, Hashable {
        /// The run was failed now.
        case failed
        /// The run had ended already; nothing changed.
        case finished
        /// No such run; nothing was written.
        case unknown

        /// The outcome in the script's reply; `nil` for a reply it never gives.
        init?(_ reply: RedisReply) {
            guard let code = reply.array?.first?.string else { return nil }
            self.init(rawValue: code)
        }
    }
}

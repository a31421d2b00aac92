import FlowcraftModel
import Synchronization

/// A script step that a processor hands back to the worker to run *inside* the call that completes
/// its job: one atomic script call records the processor's own writes, completes the job and fetches
/// the next one. The distributed engine commits a node this way, so a node's commit and its job's
/// completion can never be separated by a crash, and a busy worker makes one call per node.
///
/// The step's Lua (``Lua``) is built into ``QueueScript/moveToFinished(attaching:)``: it runs after
/// the job's lock was checked and the queue's meta hash read, before the script's first write. A
/// step refuses with an error reply starting with ``refusalPrefix``: the job is left untouched and the
/// worker fails the attempt with that error (retried by the job's attempts, like a processor that
/// threw). A step refuses before its own first write, or after writes that ended what the job belongs
/// to (the node commit's step on a run key of the wrong Redis type ends the run `failed` first). Any other error (a Lua error, a command failing mid-way)
/// may follow writes: the worker retries the call until the lock could lapse and then leaves the job
/// to the stalled sweep, so a job whose step went through is never failed for it.
struct FinishStep: Sendable {
    /// The start of a refusal's error message (the finish script's own argument checks use it too).
    static let refusalPrefix = "ERR flowcraft "

    /// The Lua of a kind of step: `definitions` (functions, placed before the finish script's body)
    /// and `call`, which runs the step. `call` reads the step's keys and arguments after the finish
    /// script's own (``QueueScript/MoveToFinishedCall``: from `KEYS[11]` and `ARGV[18]`, written
    /// `{{FINISH_KEY_COUNT}}` and `{{FINISH_ARGUMENT_COUNT}}` in the `.lua` files), may use the finish script's locals (`cap`, `paused`, `limit` from the meta
    /// hash, `prefix`, `now`), and must set the local `attached` to its reply (a table, or an error
    /// reply) and may set `valueSuffix`, appended to the job's `returnvalue`.
    struct Lua: Sendable {
        var name: String
        var definitions: String
        var call: String
    }

    /// ``QueueScript/moveToFinished(attaching:)`` for this kind of step (built once per kind).
    let script: RedisScript
    let keys: [String]
    let arguments: [String]
    /// The start of the job's `returnvalue`; the step appends `valueSuffix`.
    let returnValuePrefix: String
    /// Called once: with the step's reply when the step ran (the job completed with it, unless it was
    /// found not active although this worker held its lock), or with the error that stopped it (the
    /// step's refusal, a lost lock, or Redis failing until the lock could lapse).
    var completion: @Sendable (Result<RedisReply, any Error>) -> Void
    /// The step's reply rebuilt from the job's stored `returnvalue`, for a call that ran but whose
    /// reply was lost; `nil` when it cannot be rebuilt.
    var recoveredReply: (@Sendable (String) -> RedisReply?)? = nil

    /// This step with a completion that runs at most once.
    func completingOnce() -> FinishStep {
        let once = OnceFlag()
        let completion = self.completion
        var step = self
        step.completion = { result in
            if once.take() { completion(result) }
        }
        return step
    }

    /// This step with `next` called after its completion, with the same result.
    func then(_ next: @escaping @Sendable (Result<RedisReply, any Error>) -> Void) -> FinishStep {
        let completion = self.completion
        var step = self
        step.completion = { result in
            completion(result)
            next(result)
        }
        return step
    }
}

/// True for the first ``take()`` only.
final class OnceFlag: Sendable {
    private let taken = Atomic<Bool>(false)
    func take() -> Bool { !taken.exchange(true, ordering: .acquiringAndReleasing) }
}

/// What a job processor hands back to the ``Worker``.
enum ProcessedJob: Sendable {
    /// The job's `returnvalue`.
    case value(JSONValue)
    /// Complete the job together with a script step.
    case finishing(FinishStep)
}

/// The error reply of a ``FinishStep``: the job's attempt fails with it.
struct FinishStepRejected: Error, CustomStringConvertible {
    let message: String
    var description: String { message }
}

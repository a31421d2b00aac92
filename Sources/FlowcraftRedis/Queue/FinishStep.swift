import FlowcraftModel

/// A script step that a processor hands back to the worker to run *inside* the call that completes
/// its job: one atomic script call records the processor's own writes, completes the job and fetches
/// the next one. The distributed engine commits a node this way, so a node's commit and its job's
/// completion can never be separated by a crash, and a busy worker makes one call per node.
///
/// The step's Lua (``Lua``) is built into ``QueueScript/moveToFinished(attaching:)``: it runs after
/// the job's lock was checked and the queue's meta hash read, before the script's first write. An
/// error reply from the step leaves the job untouched; the worker then fails the attempt with that
/// error (retried by the job's attempts, like a processor that threw).
struct FinishStep: Sendable {
    /// The Lua of a kind of step: `definitions` (functions, placed before the finish script's body)
    /// and `call`, which runs the step. `call` reads the step's keys from `KEYS[11…]` and arguments
    /// from `ARGV[18…]`, may use the finish script's locals (`cap`, `paused`, `limit` from the meta
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
    /// Called once: with the step's reply when the job was completed, or with the error that
    /// stopped it (the step's error reply, a lost lock, or Redis failing until the lock lapsed).
    let completion: @Sendable (Result<RedisReply, any Error>) -> Void
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

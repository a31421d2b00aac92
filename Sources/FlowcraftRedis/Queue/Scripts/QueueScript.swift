/// The Lua scripts behind every state change of a queue. Each is one atomic step of the BullMQ
/// protocol, written for this project; arguments are validated before the first write because a Lua
/// error does not roll back what a script already wrote.
enum QueueScript {
    /// Every script, for preloading with `SCRIPT LOAD` when a queue or worker starts.
    static let all: [RedisScript] = [
        addJob, moveToActive, moveToFinished, retryJob, moveToDelayed, extendLocks,
        moveStalledJobsToWait, pause,
    ]
}

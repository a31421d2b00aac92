import FlowcraftModel
@testable import FlowcraftRedis
import Testing

/// A finishing call that ran but whose reply never arrived: the worker's retry finds the lock gone,
/// recognises the job as finished by its own lost call and reports the step's outcome (rebuilt from the
/// job's `returnvalue`) instead of a lost lock.
///
/// On a private Redis: the step keeps Redis busy for a few hundred milliseconds, longer than the
/// client's command timeout, which would stall every other test on a shared server.
@Suite("Finish steps: a lost reply", .requiresRedisServerBinary)
struct FinishStepLostReplyTests {
    /// Writes KEYS[11], then keeps Redis busy (≈ 0.25 s here) before replying.
    static let slowStep = QueueScript.moveToFinished(attaching: FinishStep.Lua(
        name: "testSlowStep", definitions: "",
        call: #"""
redis.call("SET", KEYS[11], ARGV[18])
local x = 0
for i = 1, 40000000 do x = x + i end
attached = { "ok", ARGV[18] }
valueSuffix = ARGV[18] .. '"}'
"""#))

    @Test("a finishing call whose reply is lost (client timeout) is recognised on retry; its outcome is reported once")
    func lostReplyIsRecognised() async throws {
        try await PrivateRedisServer.with { server in
            var configuration = server.configuration()
            // The worker's: shorter than the step, so the call runs, its reply is given up on, and the
            // call is retried. The test's own client waits normally.
            configuration.commandTimeout = .milliseconds(40)
            let workerClient = RedisClient(configuration: configuration, poolSize: 2)
            let client = RedisClient(configuration: server.configuration())
            let name = QueueTestSupport.uniqueQueueName("lostreply")
            let queue = try Queue(name: name, client: client)
            let completions = FinishStepTests.Completions()
            let runs = FinishStepTests.Completions()
            let worker = try Worker(
                queueName: name, client: workerClient,
                options: WorkerOptions(concurrency: 1, lockDuration: 10_000, stalledInterval: 60_000, drainDelay: 0.2),
                logger: QueueTestSupport.quietLogger,
                stepProcessor: Worker.StepProcessor { job in
                    runs.record(.success(.null))
                    var step = FinishStep(
                        script: Self.slowStep, keys: ["lost-reply:\(job.id)"], arguments: ["done"],
                        returnValuePrefix: #"{"step":""#, completion: completions.record)
                    step.recoveredReply = { value in .array([.bulk(Array("recovered".utf8)), .bulk(Array(value.utf8))]) }
                    return .finishing(step)
                })
            var id = ""
            do {
                try await QueueTestSupport.withRunningWorker(worker) {
                    id = try await queue.add(name: "slow", data: nil)
                    try await QueueTestSupport.expectEventually(within: 20) { try await queue.getState(id) == .completed }
                    // The completion follows the retry that recognised the lost call.
                    try await QueueTestSupport.expectEventually(within: 10) { !completions.all.isEmpty }
                }
            } catch {
                await workerClient.close()
                await client.close()
                throw error
            }
            let job = try #require(try await queue.getJob(id))
            #expect(job.returnValueText == #"{"step":"done"}"#)
            #expect(job.attemptsMade == 1)
            #expect(try await client.send(["GET", "lost-reply:\(id)"]).string == "done")
            // Processed once; the step's outcome reported once, rebuilt from the stored returnvalue
            // (the lost call's own reply never arrived).
            #expect(runs.all.count == 1)
            #expect(completions.all.count == 1)
            #expect(completions.failures.isEmpty, "completion failed: \(completions.failures)")
            #expect(completions.successes.map { $0.array?.compactMap(\.string) } == [["recovered", #"{"step":"done"}"#]])
            let counts = try await queue.getJobCounts()
            #expect(counts.completed == 1 && counts.failed == 0 && counts.active == 0)
            await workerClient.close()
            await client.close()
        }
    }
}

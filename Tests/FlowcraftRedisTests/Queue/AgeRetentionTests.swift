import FlowcraftModel
@testable import FlowcraftRedis
import Testing

@Suite("Age retention", .requiresRedis)
struct AgeRetentionTests {
    /// The finish script runs the age query only when the meta hash says a member may be old enough
    /// to go: every finish still leaves no job finished longer ago than the keep age. (Expectations
    /// follow the jobs' own finished-on times, so a slow machine changes which case is hit, not the
    /// outcome.)
    @Test("removeOnComplete {age} removes each job at the first finish after it aged out, with the query skipped in between")
    func ageRemovalWithDueField() async throws {
        let client = try TestRedis.client()
        let name = QueueTestSupport.uniqueQueueName("age")
        let queue = try Queue(name: name, client: client)
        var options = QueueTestSupport.fastOptions()
        options.removeOnComplete = .keep(age: 1, count: nil)
        let worker = try Worker(queueName: name, client: client, options: options, logger: QueueTestSupport.quietLogger) { _ in nil }
        let dueField = QueueScript.ageRetentionDueField(target: "completed", ageSeconds: 1)
        try await QueueTestSupport.withRunningWorker(worker) {
            var finished: [(id: String, at: Int)] = []
            for (label, pause) in [("a", 0), ("b", 500), ("c", 700), ("d", 700), ("e", 300)] {
                try await Task.sleep(for: .milliseconds(pause))
                let id = try await queue.add(name: label, data: nil)
                try await QueueTestSupport.expectEventually { try await queue.getState(id) == .completed }
                // Just finished: kept until a later finish comes more than 1 s after it.
                let at = try #require(try await queue.getJob(id)?.finishedOn)
                finished.append((id, at))
                var oldestKept: Int?
                for job in finished {
                    let kept = try await queue.getJob(job.id) != nil
                    #expect(kept == (job.at > at - 1000), "job \(job.id) finished \(at - job.at) ms before the last finish")
                    if kept, oldestKept == nil { oldestKept = job.at }
                }
                // The due time is never later than the oldest kept job's aging out.
                let due = try #require(try await client.send(["HGET", "bull:\(name):meta", dueField]).string.flatMap { Int($0) })
                #expect(due <= (oldestKept ?? at) + 1000)
            }
        }
        await client.close()
    }
}

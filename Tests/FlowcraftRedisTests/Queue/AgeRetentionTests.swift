import FlowcraftModel
@testable import FlowcraftRedis
import Testing

@Suite("Age retention", .requiresRedis)
struct AgeRetentionTests {
    /// The finish script runs the age query only when the meta hash says a member may be old enough
    /// to go: every finish still leaves no job finished longer ago than the keep age.
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
            func finish(_ label: String) async throws -> String {
                let id = try await queue.add(name: label, data: nil)
                try await QueueTestSupport.expectEventually { try await queue.getState(id) == .completed }
                return id
            }
            func present(_ id: String) async throws -> Bool { try await queue.getJob(id) != nil }
            let a = try await finish("a")
            let due = try #require(try await client.send(["HGET", "bull:\(name):meta", dueField]).string)
            let aFinished = try #require(try await queue.getJob(a)?.finishedOn)
            #expect(Int(due) == aFinished + 1000)
            try await Task.sleep(for: .milliseconds(500))
            let b = try await finish("b")
            let aKeptAtB = try await present(a)
            let bKept = try await present(b)
            #expect(aKeptAtB && bKept)
            try await Task.sleep(for: .milliseconds(700))
            let c = try await finish("c")
            let aKeptAtC = try await present(a)
            let bKeptAtC = try await present(b)
            let cKept = try await present(c)
            #expect(!aKeptAtC, "a finished > 1 s before c")
            #expect(bKeptAtC && cKept)
            let bFinished = try #require(try await queue.getJob(b)?.finishedOn)
            #expect(try await client.send(["HGET", "bull:\(name):meta", dueField]).string == String(bFinished + 1000))
            try await Task.sleep(for: .milliseconds(700))
            _ = try await finish("d")
            let bKeptAtD = try await present(b)
            let cKeptAtD = try await present(c)
            #expect(!bKeptAtD, "b finished > 1 s before d")
            #expect(cKeptAtD)
            #expect(try await queue.getJobCounts().completed == 2)
        }
        await client.close()
    }
}

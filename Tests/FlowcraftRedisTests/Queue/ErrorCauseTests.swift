import FlowcraftModel
@testable import FlowcraftRedis
import Testing

/// `QueueError` and `DistributedError` carry a cause users can switch on.
@Suite("Error causes")
struct ErrorCauseTests {
    @Test("invalid queue names, job options and worker options name their cause", .requiresRedis)
    func queueCauses() async throws {
        let client = try TestRedis.client()
        #expect(throws: QueueError.self) { try Queue(name: "a:b", client: client) }
        do {
            _ = try Queue(name: "a:b", client: client)
        } catch let error as QueueError {
            #expect(error.cause == .invalidName)
        }
        let queue = try Queue(name: QueueTestSupport.uniqueQueueName("cause"), client: client)
        do {
            _ = try await queue.add(name: "n", data: nil, options: JobOptions(priority: -1))
            Issue.record("a negative priority is refused")
        } catch let error as QueueError {
            #expect(error.cause == .invalidJobOptions)
        }
        do {
            _ = try WorkerOptions(concurrency: 0).validated()
            Issue.record("concurrency 0 is refused")
        } catch let error as QueueError {
            #expect(error.cause == .invalidWorkerOptions)
        }
        await client.close()
    }

    @Test("an unknown blueprint and an invalid run id name their cause", .requiresRedis)
    func distributedCauses() async throws {
        let catalog = try BlueprintCatalog([])
        #expect(throws: DistributedError.self) { try catalog.blueprint(id: "nope", version: nil) }
        do {
            _ = try catalog.blueprint(id: "nope", version: nil)
        } catch {
            #expect(error.cause == .unknownBlueprint)
        }
        let client = try TestRedis.client()
        let workflows = WorkflowClient(client: client, catalog: catalog)
        do {
            _ = try await workflows.status("")
            Issue.record("an empty run id is refused")
        } catch let error as DistributedError {
            #expect(error.cause == .invalidRunID)
        }
        await client.close()
    }
}

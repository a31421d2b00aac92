import Flowcraft
import Foundation
@testable import FlowcraftRedis
import Testing

/// A worker that starts while Redis cannot be reached (down, restarting, failing over) waits for it,
/// as a running worker does, instead of stopping: a failover during a rolling restart must not leave
/// the queue without workers. (The Sentinel chaos test found workers exiting with "Redis connection
/// error (SET)" when the master was killed while they were starting.)
@Suite("Distributed worker startup while Redis is down")
struct WorkerStartupTests {
    static var registry: NodeRegistry {
        var registry = NodeRegistry()
        registry.register("noop") { context in NodeResult(output: .string("out-\(context.nodeID)")) }
        return registry
    }

    @Test("a worker started before its Redis is up waits, then runs the workflows started once it is")
    func workerWaitsForRedis() async throws {
        guard PrivateRedisServer.binaryPath != nil else {
            Issue.record("redis-server not found (set FLOWCRAFT_REDIS_SERVER or put it on PATH)")
            return
        }
        // Not started yet: the worker's first tries are refused.
        let server = try PrivateRedisServer()
        let queue = DistributedTestSupport.uniqueQueue("startup")
        let blueprint = DistributedTestSupport.diamond()
        let workerClient = RedisClient(configuration: server.configuration(), poolSize: 2)
        let worker = try DistributedWorker(
            blueprints: [blueprint], registry: Self.registry, client: workerClient,
            options: DistributedOptions(queueName: queue, stateTTLSeconds: 600),
            workerOptions: WorkerOptions(concurrency: 4, drainDelay: 0.2))
        let ended = PthreadMutex<Result<Void, any Error>?>(nil)
        let running = Task {
            do {
                try await worker.run()
                ended.withLock { $0 = .success(()) }
            } catch {
                ended.withLock { $0 = .failure(error) }
            }
        }
        // Several refused tries (the waits start at 100 ms), and the worker is still there.
        try await Task.sleep(for: .milliseconds(700))
        #expect(ended.withLock { $0 } == nil, "the worker must wait for Redis, not stop")

        try await server.start()
        let client = RedisClient(configuration: server.configuration())
        let workflows = try WorkflowClient(
            client: client, blueprints: [blueprint], options: DistributedOptions(queueName: queue, stateTTLSeconds: 600))
        let runID = try await workflows.startWorkflow(blueprint)
        let status = try await workflows.result(runID, timeout: TestTiming.seconds(20))
        #expect(status.status == .completed)
        #expect(status.context["_outputs.e"] == .string("out-e"))

        await worker.close()
        await running.value
        if case .failure(let error) = ended.withLock({ $0 }) { Issue.record("the worker stopped with \(error)") }
        await client.close()
        await workerClient.close()
        await server.stop()
    }

    @Test("a worker closed while it waits for Redis returns without taking a job")
    func closeEndsTheWait() async throws {
        let port = try PrivateRedisServer.freePort()
        var configuration = RedisConfiguration(host: "127.0.0.1", port: port)
        configuration.reconnectBaseDelay = .milliseconds(20)
        configuration.reconnectMaxDelay = .milliseconds(200)
        let client = RedisClient(configuration: configuration)
        let worker = try DistributedWorker(
            blueprints: [DistributedTestSupport.diamond()], registry: Self.registry, client: client,
            options: DistributedOptions(queueName: DistributedTestSupport.uniqueQueue("startup")))
        worker.start()
        try await Task.sleep(for: .milliseconds(300))
        // Returns once the wait notices (within about a second), not never.
        let closing = Task { await worker.close() }
        let closed = await withTaskGroup(of: Bool.self) { group in
            group.addTask {
                await closing.value
                return true
            }
            group.addTask {
                try? await Task.sleep(for: .seconds(15))
                return false
            }
            let first = await group.next() ?? false
            group.cancelAll()
            return first
        }
        #expect(closed, "close() must end a worker still waiting for Redis")
        await client.close()
    }

    @Test("what Redis answers at startup is final: a layout mismatch still stops the worker at once")
    func mismatchIsNotRetried() async throws {
        try await TestRedis.withClient { client in
            let queue = DistributedTestSupport.uniqueQueue("startup")
            _ = try await QueueLayoutRecord.resolve(.sharded(count: 2), queueName: queue, client: client)
            var options = DistributedOptions(queueName: queue)
            options.layout = .single
            let worker = try DistributedWorker(
                blueprints: [DistributedTestSupport.diamond()], registry: Self.registry, client: client, options: options)
            await #expect(throws: DistributedError.self) { try await worker.run() }
            _ = try await client.execute(DEL(QueueLayoutRecord.key(queue: queue)))
        }
    }
}

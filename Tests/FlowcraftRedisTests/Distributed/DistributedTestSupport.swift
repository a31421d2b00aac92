import Foundation
import Flowcraft
@testable import FlowcraftRedis
import Testing

/// Shared pieces of the distributed-engine tests: blueprints, a worker running for the duration of a
/// test, and a queue name unique to each test so parallel tests never share jobs.
enum DistributedTestSupport {
    static func uniqueQueue(_ name: String = "dist") -> String {
        "test-\(name)-\(UUID().uuidString.prefix(8))"
    }

    /// a → b, a → c, b → d, c → d, d → e.
    static func diamond(id: String = "diamond", uses: String = "noop") -> WorkflowBlueprint {
        WorkflowBlueprint(
            id: id,
            nodes: ["a", "b", "c", "d", "e"].map { NodeDefinition(id: $0, uses: uses) },
            edges: [
                EdgeDefinition(source: "a", target: "b"), EdgeDefinition(source: "a", target: "c"),
                EdgeDefinition(source: "b", target: "d"), EdgeDefinition(source: "c", target: "d"),
                EdgeDefinition(source: "d", target: "e"),
            ])
    }

    /// Runs `body` while a distributed worker serves `queue`, then closes the worker.
    static func withWorker<T: Sendable>(
        blueprints: [WorkflowBlueprint], registry: NodeRegistry, queue: String,
        retryMode: DistributedRetryMode = .inProcess, concurrency: Int = 8, middleware: [any NodeMiddleware] = [],
        eventHandler: WorkflowEventHandler? = nil, sizeLimits: SizeLimits? = nil,
        rollingDeploy: RollingDeployOptions? = nil, redis: RedisConfigurations? = nil,
        configuration: RedisConfiguration? = nil, stateTTLSeconds: Int = 600, history: DistributedHistory = .on(),
        layout: QueueLayout? = nil, shards: [Int]? = nil,
        _ body: @Sendable (WorkflowClient, RedisClient) async throws -> T
    ) async throws -> T {
        let client = try redis.map { RedisClient(configuration: $0.client, poolSize: 2) }
            ?? configuration.map { RedisClient(configuration: $0) } ?? TestRedis.client()
        let workerClient = redis.map { RedisClient(configuration: $0.worker, poolSize: 2) } ?? client
        var options = DistributedOptions(queueName: queue, stateTTLSeconds: stateTTLSeconds, retryMode: retryMode,
            middleware: middleware, eventHandler: eventHandler)
        options.history = history
        options.layout = layout
        if let sizeLimits { options.sizeLimits = sizeLimits }
        if let rollingDeploy { options.rollingDeploy = rollingDeploy }
        let worker = try DistributedWorker(
            blueprints: blueprints, registry: registry, client: workerClient, options: options,
            workerOptions: WorkerOptions(concurrency: concurrency, drainDelay: 0.2), shards: shards)
        worker.start()
        let workflows = try WorkflowClient(client: client, blueprints: blueprints, options: options)
        func close() async {
            await worker.close()
            await client.close()
            if redis != nil { await workerClient.close() }
        }
        do {
            let value = try await body(workflows, client)
            await close()
            return value
        } catch {
            await close()
            throw error
        }
    }

    /// The connections of a test's worker and client when they are not the shared test Redis (e.g.
    /// restricted ACL users of a private server).
    struct RedisConfigurations: Sendable {
        var worker: RedisConfiguration
        var client: RedisConfiguration
    }
}

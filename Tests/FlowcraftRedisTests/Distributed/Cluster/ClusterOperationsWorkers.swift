import Foundation
import Flowcraft
import FlowcraftCompiler
@testable import FlowcraftRedis
import Testing

/// The day-2 operations fixture on a Redis Cluster: three small blueprints compiled from a YAML file
/// (so failures carry their YAML line), a registry whose `fails-once` node fails the first execution
/// of each run, and two distributed workers (named `ops-w1`, `ops-w2`) on a sharded queue.
struct ClusterOperationsWorkers {
    /// The blueprint files, by name.
    static let files: [String: String] = [
        "ops-diamond.yaml": """
            id: ops-diamond
            nodes:
              - id: a
                uses: noop
              - id: b
                uses: noop
              - id: c
                uses: noop
              - id: d
                uses: noop
            edges:
              - { source: a, target: b }
              - { source: a, target: c }
              - { source: b, target: d }
              - { source: c, target: d }

            """,
        "ops-chain.yaml": chain,
        "ops-gate.yaml": """
            id: ops-gate
            nodes:
              - id: ask
                uses: wait
              - id: after
                uses: noop
            edges:
              - { source: ask, target: after }

            """,
    ]

    static let chain = """
        id: ops-chain
        nodes:
          - id: fetch
            uses: noop
          - id: charge
            uses: fails-once
        edges:
          - { source: fetch, target: charge }

        """

    /// The 1-based line of `- id: charge` in `ops-chain.yaml`.
    static var chargeLine: Int {
        (chain.split(separator: "\n", omittingEmptySubsequences: false).firstIndex { $0.contains("- id: charge") } ?? -1) + 1
    }

    /// A directory holding the blueprint files (the CLI's `--blueprints`).
    let directory: String
    let blueprints: [WorkflowBlueprint]

    init() throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("cluster-ops-\(UUID().uuidString.prefix(8))")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        for (name, text) in Self.files {
            try text.write(to: directory.appendingPathComponent(name), atomically: true, encoding: .utf8)
        }
        self.directory = directory.path
        let result = BlueprintCompiler().compile(paths: [directory.path])
        #expect(!result.hasErrors, "\(result.diagnostics)")
        blueprints = result.blueprints
        #expect(blueprints.count == 3)
    }

    static func registry() -> NodeRegistry {
        let failures = PthreadMutex<Set<String>>([])
        var registry = NodeRegistry()
        registry.register("noop") { ctx in NodeResult(output: .string(ctx.nodeID)) }
        registry.register("fails-once") { ctx in
            if failures.withLock({ $0.insert(ctx.runID).inserted }) { throw DistributedError("card declined") }
            return NodeResult(output: "charged")
        }
        return registry
    }

    /// Runs `body` with two workers on `queue` (each with a cluster client of its own) and a client.
    func withWorkers<T: Sendable>(
        queue: String, layout: QueueLayout, configuration: RedisConfiguration,
        registry: NodeRegistry = Self.registry(), blueprints extra: [WorkflowBlueprint] = [],
        stateTTLSeconds: Int = 600, history: DistributedHistory = .on(), removeOnComplete: JobRetention? = nil,
        removeOnFail: JobRetention? = nil, _ body: (WorkflowClient, RedisClient) async throws -> T
    ) async throws -> T {
        var options = DistributedOptions(queueName: queue, stateTTLSeconds: stateTTLSeconds)
        options.layout = layout
        options.history = history
        let catalog = try BlueprintCatalog(blueprints + extra)
        var workerClients: [RedisClient] = []
        var workers: [DistributedWorker] = []
        let client = RedisClient(configuration: configuration)
        func closeAll() async {
            for worker in workers { await worker.close() }
            for workerClient in workerClients { await workerClient.close() }
            await client.close()
        }
        do {
            for name in ["ops-w1", "ops-w2"] {
                let workerClient = RedisClient(configuration: configuration)
                workerClients.append(workerClient)
                let worker = try DistributedWorker(
                    catalog: catalog, registry: registry, client: workerClient, options: options,
                    workerOptions: WorkerOptions(concurrency: 8, drainDelay: 0.5, name: name, removeOnComplete: removeOnComplete, removeOnFail: removeOnFail))
                worker.start()
                workers.append(worker)
            }
            let workflows = WorkflowClient(client: client, catalog: catalog, options: options)
            let result = try await body(workflows, client)
            await closeAll()
            return result
        } catch {
            await closeAll()
            throw error
        }
    }

    /// A base id placed on a shard other than 0 (and other than `excluded`).
    static func baseID(_ prefix: String, shards: QueueShards, notOn excluded: Set<Int> = [0]) -> String {
        var index = 0
        while excluded.contains(shards.shard(ofBaseID: "\(prefix)-\(index)")) { index += 1 }
        return "\(prefix)-\(index)"
    }
}

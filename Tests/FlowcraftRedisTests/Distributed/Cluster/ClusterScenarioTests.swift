import Foundation
@testable import FlowcraftRedis
import FlowcraftScenarios
import Testing

/// The runtime's scenario suite against the distributed engine on a real Redis Cluster (three masters,
/// three replicas): a `redis+cluster://` client and a queue sharded 4 ways, both retry modes — the
/// sharded layout suite's scenarios and parameterisation (`ShardedScenarioTests`), on a cluster.
/// Four shards, not sixteen: with every case in parallel on a 2-core machine, sixteen blocking
/// connections per case load it so far that the timing-sensitive redrive scenario (its `slow` branch
/// must still be pending when `broken` fails 50 ms in; `slow` takes 1.5 s) missed its window — as the
/// in-memory and the single-Redis sharded suites also do under enough load. The 16-shard engine
/// checks are `ClusterEngineTests` and `ClusterTopologyTests`.
@Suite("Cluster scenarios (redis+cluster://, 4 shards)", .redisCluster)
struct ClusterScenarioTests {
    static let layout = QueueLayout.sharded(count: 4)

    static func engine(retryMode: DistributedRetryMode = .inProcess) throws -> RedisScenarioEngine {
        let cluster = try #require(RedisClusterServers.current)
        return RedisScenarioEngine(retryMode: retryMode, configuration: try cluster.configuration(), layout: layout)
    }

    @Test(arguments: DistributedScenarioTests.supported)
    func scenario(_ scenario: WorkflowScenario) async throws {
        let problems = try await DistributedScenarioTests.problems(scenario, engine: Self.engine())
        #expect(problems.isEmpty, "\(scenario.name) (cluster): \(problems.joined(separator: "; "))")
    }

    @Test(arguments: ShardedScenarioTests.queueRetryScenarios)
    func queueRetryMode(_ scenario: WorkflowScenario) async throws {
        let problems = try await DistributedScenarioTests.problems(scenario, engine: Self.engine(retryMode: .queue))
        #expect(problems.isEmpty, "\(scenario.name) (cluster, queue retries): \(problems.joined(separator: "; "))")
    }
}

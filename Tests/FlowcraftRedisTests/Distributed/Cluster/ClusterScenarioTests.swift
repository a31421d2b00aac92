import Foundation
@testable import FlowcraftRedis
import FlowcraftScenarios
import Testing

/// The runtime's scenario suite against the distributed engine on a real Redis Cluster (three masters,
/// three replicas): a `redis+cluster://` client and a queue sharded 16 ways, both retry modes — the
/// sharded layout suite's scenarios and parameterisation (`ShardedScenarioTests`), on a cluster.
@Suite("Cluster scenarios (redis+cluster://, 16 shards)", .redisCluster)
struct ClusterScenarioTests {
    static let layout = QueueLayout.sharded(count: 16)

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

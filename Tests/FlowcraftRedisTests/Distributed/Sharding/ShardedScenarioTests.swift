import Foundation
@testable import FlowcraftRedis
import FlowcraftScenarios
import Testing

/// The runtime's scenario suite against the distributed engine on a sharded queue (4 shards), both
/// retry modes, and the key audit: every key a sharded queue and its runs leave in Redis carries its
/// shard's hash tag, so each script call touches one Redis Cluster slot.
@Suite("Sharded layout scenarios", .requiresRedis)
struct ShardedScenarioTests {
    static let layout = QueueLayout.sharded(count: 4)

    @Test(arguments: DistributedScenarioTests.supported)
    func scenario(_ scenario: WorkflowScenario) async throws {
        let problems = try await DistributedScenarioTests.problems(scenario, engine: RedisScenarioEngine(layout: Self.layout))
        #expect(problems.isEmpty, "\(scenario.name) (sharded): \(problems.joined(separator: "; "))")
    }

    /// The scenarios run again with retries as BullMQ attempts (also on a real cluster: `ClusterScenarioTests`).
    static var queueRetryScenarios: [WorkflowScenario] {
        ResilienceScenarios.all + FallbackJoinScenarios.all + IdentifierScenarios.all
            + RedriveScenarios.all + DataFlowScenarios.all + [BuiltinScenarios.batchWorkerReadsItsIndex]
    }

    @Test(arguments: queueRetryScenarios)
    func queueRetryMode(_ scenario: WorkflowScenario) async throws {
        let problems = try await DistributedScenarioTests.problems(
            scenario, engine: RedisScenarioEngine(retryMode: .queue, layout: Self.layout))
        #expect(problems.isEmpty, "\(scenario.name) (sharded, queue retries): \(problems.joined(separator: "; "))")
    }

    /// The hash tag Redis Cluster hashes for `key`: what is between the first `{` and the first `}`
    /// after it, when that is not empty; `nil` when the whole key is hashed.
    static func hashTag(_ key: String) -> String? {
        guard let open = key.firstIndex(of: "{") else { return nil }
        let rest = key[key.index(after: open)...]
        guard let close = rest.firstIndex(of: "}"), close > rest.startIndex else { return nil }
        return String(rest[..<close])
    }

    @Test("key audit: after the scenarios ran sharded, every key of a shard or a run carries exactly one shard's tag; only the layout record and the worker directory are global",
          .requiresRedisServerBinary)
    func everyKeyCarriesItsShardTag() async throws {
        try await PrivateRedisServer.with { server in
            let configuration = server.configuration()
            var queues: [String] = []
            for scenario in DistributedScenarioTests.supported {
                _ = try await DistributedScenarioTests.problems(
                    scenario, engine: RedisScenarioEngine(configuration: configuration, layout: Self.layout))
            }
            for scenario in ResilienceScenarios.all + RedriveScenarios.all {
                _ = try await DistributedScenarioTests.problems(
                    scenario, engine: RedisScenarioEngine(retryMode: .queue, configuration: configuration, layout: Self.layout))
            }
            let client = RedisClient(configuration: configuration, poolSize: 1)
            var keys: [String] = []
            var cursor = "0"
            repeat {
                let reply = try await client.send(["SCAN", cursor, "COUNT", "1000"]).array ?? []
                cursor = reply.first?.string ?? "0"
                keys += (reply.count > 1 ? reply[1].array ?? [] : []).compactMap(\.string)
            } while cursor != "0"
            await client.close()
            #expect(keys.count > 100)
            var global: [String] = []
            var misplaced: [String] = []
            for key in keys {
                if key.hasPrefix(QueueLayoutRecord.key(queue: "")) || key.hasPrefix(WorkerDirectory.key(queue: "")) {
                    global.append(key)
                    continue
                }
                // `{<queue>.<shard>}` of a scenario queue, first in every run id and queue name.
                guard let tag = Self.hashTag(key), let dot = tag.lastIndex(of: "."),
                    let shard = Int(tag[tag.index(after: dot)...]), (0..<4).contains(shard),
                    tag[..<dot].hasPrefix("test-scenario-")
                else {
                    misplaced.append(key)
                    continue
                }
                queues.append(String(tag[..<dot]))
            }
            #expect(misplaced.isEmpty, "keys without a shard tag: \(misplaced.prefix(20))")
            #expect(!global.isEmpty && Set(queues).count > 10)
        }
    }
}

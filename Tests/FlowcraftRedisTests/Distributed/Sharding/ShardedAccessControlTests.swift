import Foundation
@testable import FlowcraftRedis
import FlowcraftScenarios
import Testing

/// The least-privilege rules of a sharded queue (`bull:{<queue>.*}:*`) let the worker and the client
/// run the scenarios, nothing refused.
@Suite("Sharded layout access control", .requiresRedis, .serialized)
struct ShardedAccessControlTests {
    @Test("worker and client users restricted to a sharded queue's rules run the scenarios sharded; the ACL log stays empty",
          .requiresRedisServerBinary)
    func scenariosUnderRestrictedUsers() async throws {
        try await PrivateRedisServer.with { server in
            let admin = RedisClient(configuration: server.configuration(), poolSize: 1)
            for role in AccessControl.Role.allCases {
                let name = "flowcraft-\(role.rawValue)"
                let reply = try await admin.send(RedisCommand(
                    ["ACL", "SETUSER", name, "reset", "on", ">\(name)"]
                        + AccessControl.rules(for: role, queueName: "test-*", layout: .sharded(count: 4))))
                #expect(reply.errorMessage == nil, "ACL SETUSER \(name): \(reply)")
            }
            let redis = DistributedTestSupport.RedisConfigurations(
                worker: server.configuration(password: "flowcraft-worker", username: "flowcraft-worker"),
                client: server.configuration(password: "flowcraft-client", username: "flowcraft-client"))
            let scenarios = Array(DistributedScenarioTests.supported.prefix(30))
            let problems = try await AccessControlTests.runScenarios(
                scenarios, engine: RedisScenarioEngine(redis: redis, layout: .sharded(count: 4)))
            #expect(problems.isEmpty, "\(problems.joined(separator: "\n"))")
            let log = try await admin.send(RedisCommand(["ACL", "LOG"]))
            #expect(log.array?.isEmpty == true, "ACL LOG: \(log)")
            #expect(AccessControl.keyPatterns(for: .worker, queueName: "orders", layout: .sharded(count: 16)).first == "~bull:{orders.*}:*")
            await admin.close()
        }
    }
}

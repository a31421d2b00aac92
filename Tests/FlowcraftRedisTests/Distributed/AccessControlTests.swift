import Foundation
import Flowcraft
@testable import FlowcraftRedis
import FlowcraftScenarios
import Testing

/// Least privilege (issue 13, item 4): the worker and the client run every scenario connected as users
/// restricted to ``AccessControl``'s rules, a dashboard user can read but not write, and no run uses
/// KEYS, SCAN, FLUSH*, CONFIG or DEBUG.
@Suite("Access control", .requiresRedis, .serialized)
struct AccessControlTests {
    static let forbidden = ["keys", "scan", "flushall", "flushdb", "config", "debug"]

    /// The scenarios the Redis engine runs, each on its own queue, at most `width` at a time.
    static func runScenarios(
        _ scenarios: [WorkflowScenario], engine: RedisScenarioEngine, width: Int = 2
    ) async throws -> [String] {
        try await withThrowingTaskGroup(of: [String].self) { group in
            var problems: [String] = []
            var next = 0
            func add() {
                guard next < scenarios.count else { return }
                let scenario = DistributedScenarioTests.adapted(scenarios[next])
                next += 1
                group.addTask {
                    let outcome = try await engine.execute(scenario)
                    return scenario.verify(outcome).map { "\(scenario.name): \($0)" }
                }
            }
            for _ in 0..<width { add() }
            while let found = try await group.next() {
                problems += found
                add()
            }
            return problems
        }
    }

    /// Creates the worker, client and dashboard users (password = name) for queues `queue*`.
    static func createUsers(on server: PrivateRedisServer, admin: RedisClient, queuePattern: String) async throws {
        for role in AccessControl.Role.allCases {
            let name = "flowcraft-\(role.rawValue)"
            let reply = try await admin.send(RedisCommand(
                ["ACL", "SETUSER", name, "reset", "on", ">\(name)"] + AccessControl.rules(for: role, queueName: queuePattern)))
            #expect(reply.errorMessage == nil, "ACL SETUSER \(name): \(reply)")
        }
    }

    /// Command names from `INFO commandstats` (`client|setname` for subcommands).
    static func usedCommands(_ admin: RedisClient) async throws -> Set<String> {
        let text = try await admin.send(RedisCommand(["INFO", "commandstats"])).string ?? ""
        var names: Set<String> = []
        for line in text.split(whereSeparator: \.isNewline) where line.hasPrefix("cmdstat_") {
            guard let colon = line.firstIndex(of: ":") else { continue }
            names.insert(String(line[line.index(line.startIndex, offsetBy: 8)..<colon]).lowercased())
        }
        return names
    }

    @Test("the worker and the client run every scenario as restricted ACL users using only the documented commands (no KEYS, SCAN, FLUSH*, CONFIG, DEBUG); a dashboard user reads but cannot write")
    func scenariosUnderRestrictedUsers() async throws {
        try await PrivateRedisServer.with { server in
            let admin = RedisClient(configuration: server.configuration(), poolSize: 1)
            // Test queues are named `test-scenario-…`: the users get that queue pattern.
            try await Self.createUsers(on: server, admin: admin, queuePattern: "test-*")
            let redis = DistributedTestSupport.RedisConfigurations(
                worker: server.configuration(password: "flowcraft-worker", username: "flowcraft-worker"),
                client: server.configuration(password: "flowcraft-client", username: "flowcraft-client"))
            var problems = try await Self.runScenarios(DistributedScenarioTests.supported, engine: RedisScenarioEngine(redis: redis))
            problems += try await Self.runScenarios(
                ResilienceScenarios.all + FallbackJoinScenarios.all + IdentifierScenarios.all + DataFlowScenarios.all,
                engine: RedisScenarioEngine(retryMode: .queue, redis: redis))
            #expect(problems.isEmpty, "\(problems.joined(separator: "\n"))")
            // Nothing was refused: the ACL log is empty.
            let log = try await admin.send(RedisCommand(["ACL", "LOG"]))
            #expect(log.array?.isEmpty == true, "ACL LOG: \(log)")
            // The commands the runs used (`INFO commandstats`, without the admin's own and `AUTH`,
            // which every user may send): the documented ones, none of KEYS, SCAN, FLUSH*, CONFIG, DEBUG.
            let used = try await Self.usedCommands(admin).subtracting(["info", "acl|setuser", "acl|log", "auth"])
            for name in used {
                #expect(!Self.forbidden.contains { name == $0 || name.hasPrefix($0 + "|") }, "a run used \(name)")
            }
            let documented = Set(AccessControl.commands(for: .worker))
            #expect(used.isSubset(of: documented), "undocumented: \(used.subtracting(documented).sorted())")
            #expect(used.isSuperset(of: ["evalsha", "bzpopmin", "hmget"]), "\(used.sorted())")

            // The dashboard reads a run's status and state and the queue, and cannot write.
            let workflows = WorkflowClient(
                client: RedisClient(configuration: redis.client, poolSize: 1), catalog: BlueprintCatalog(),
                options: DistributedOptions(queueName: "test-dashboard"))
            let runID = try await workflows.startWorkflow(DistributedTestSupport.diamond())
            await workflows.client.close()
            let dashboard = RedisClient(
                configuration: server.configuration(password: "flowcraft-dashboard", username: "flowcraft-dashboard"), poolSize: 1)
            let keys = DistributedKeys(runID: runID)
            let reads = try await dashboard.pipeline([
                RedisCommand(["HGETALL", keys.state]), RedisCommand(["HGET", keys.run, "status"]),
                RedisCommand(["LLEN", "bull:test-dashboard:wait"]), RedisCommand(["XREVRANGE", "bull:test-dashboard:events", "+", "-", "COUNT", "10"]),
            ])
            #expect(reads.allSatisfy { $0.errorMessage == nil }, "\(reads)")
            #expect(reads[1].string == "running")
            // It reads the run history (what `flowcraft runs` and `inspect` read) too.
            let history = RedisRunHistory(client: dashboard, queueName: "test-dashboard")
            #expect(try await history.runs(RunQuery()).runs.map(\.runID) == [runID])
            #expect(try await history.events(of: runID).count == 1)
            let write = try await dashboard.pipeline([
                RedisCommand(["HSET", keys.run, "status", "cancelled"]), RedisCommand(["KEYS", "*"]),
                RedisCommand(["GET", "other:key"]),
            ])
            #expect(write.allSatisfy { $0.errorMessage?.contains("NOPERM") == true }, "\(write)")
            await dashboard.close()
            await admin.close()
        }
    }
}

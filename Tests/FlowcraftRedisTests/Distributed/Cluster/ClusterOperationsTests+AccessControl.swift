import Foundation
import Flowcraft
@testable import FlowcraftRedis
import Testing

/// The documented least-privilege users on the cluster: set on every node (masters and replicas),
/// workers and a client connected as them over `redis+cluster://user:pass@…` run diamonds to
/// completion with nothing refused; a user without the cluster commands gets an error naming the
/// command it lacks.
extension ClusterOperationsTests {
    /// Sets `rules` for user `name` (password = name) on every node of the cluster.
    static func setUser(_ name: String, rules: [String], on cluster: RedisClusterServers) async throws {
        for server in cluster.servers {
            let reply = try await cluster.send(["ACL", "SETUSER", name, "reset", "on", ">\(name)"] + rules, to: server.port)
            #expect(reply.errorMessage == nil, "ACL SETUSER \(name) on \(server.port): \(reply)")
        }
    }

    /// The cluster's URL with `user`'s credentials.
    static func url(_ cluster: RedisClusterServers, user: String) -> String {
        cluster.url.replacingOccurrences(of: "redis+cluster://", with: "redis+cluster://\(user):\(user)@")
    }

    static func configuration(_ cluster: RedisClusterServers, user: String) throws -> RedisConfiguration {
        var configuration = try RedisConfiguration(url: url(cluster, user: user))
        configuration.reconnectBaseDelay = .milliseconds(20)
        configuration.reconnectMaxDelay = .milliseconds(300)
        configuration.connectTimeout = .seconds(1)
        configuration.commandTimeout = .seconds(10)
        return configuration
    }

    @Test("worker, client and dashboard users with AccessControl.rules(… cluster: true) on every node run diamonds, list, inspect and show them in the dashboard; the ACL log stays empty")
    func documentedUsersOnEveryNode() async throws {
        let cluster = try Self.cluster()
        let queue = DistributedTestSupport.uniqueQueue("cluster-acl")
        for role in AccessControl.Role.allCases {
            try await Self.setUser(
                "ops-\(role.rawValue)", rules: AccessControl.rules(for: role, queueName: queue, layout: Self.layout, cluster: true),
                on: cluster)
        }
        for server in cluster.servers { _ = try await cluster.send(["ACL", "LOG", "RESET"], to: server.port) }
        let fixture = try ClusterOperationsWorkers()
        let workerConfiguration = try Self.configuration(cluster, user: "ops-worker")
        let client = RedisClient(configuration: try Self.configuration(cluster, user: "ops-client"))
        do {
            var options = DistributedOptions(queueName: queue)
            options.layout = Self.layout
            let workflows = WorkflowClient(client: client, catalog: try BlueprintCatalog(fixture.blueprints), options: options)
            try await fixture.withWorkers(queue: queue, layout: Self.layout, configuration: workerConfiguration) { _, _ in
                var runs: [String] = []
                for index in 0..<20 { runs.append(try await workflows.startWorkflow(blueprintID: "ops-diamond", runID: "acl-\(index)")) }
                let paused = try await workflows.startWorkflow(blueprintID: "ops-gate", runID: "acl-gate")
                for runID in runs { #expect(try await workflows.result(runID, timeout: .seconds(30)).status == .completed) }
                #expect(try await workflows.result(paused, timeout: .seconds(30)).status == .awaiting)
                try await workflows.resume(paused, nodeID: "ask", output: "yes")
                #expect(try await workflows.result(paused, timeout: .seconds(30)).status == .completed)
                let failed = try await workflows.startWorkflow(blueprintID: "ops-chain", runID: "acl-chain")
                #expect(try await workflows.result(failed, timeout: .seconds(30)).status == .failed)
                _ = try await workflows.redrive(failed)
                #expect(try await workflows.result(failed, timeout: .seconds(30)).status == .completed)
            }
            // The dashboard role reads the history across shards (`flowcraft runs`, `inspect`).
            let source = ["--redis", Self.url(cluster, user: "ops-dashboard"), "--queue", queue]
            let page = try await Self.runsPage(source + ["--limit", "100"])
            #expect(page.runs.count == 22)
            let inspected = try await ClusterCommandLine.run(["inspect", "acl-chain", "--json"] + source)
            #expect(inspected.status == 0, "\(inspected.stderr)")
            // …and serves the read-only dashboard (queues with their counts, runs, a run's detail).
            let dashboard = try await ClusterCommandLine.Dashboard.start(source + ["--blueprints", fixture.directory])
            do {
                let queues = try JSONDecoder().decode(QueuesResponse.self, from: try await Self.get(dashboard.baseURL + "api/queues")).queues
                #expect(queues.count == 4 && queues.map(\.completed).reduce(0, +) > 0, "\(queues.map(\.name))")
                let runs = try JSONDecoder().decode(RunsPage.self, from: try await Self.get(dashboard.baseURL + "api/runs?limit=100")).runs
                #expect(runs.count == 22)
                _ = try await Self.get(dashboard.baseURL + "runs/" + Self.component(try #require(runs.first).runID))
            } catch {
                await dashboard.stop()
                throw error
            }
            await dashboard.stop()
        } catch {
            await client.close()
            throw error
        }
        await client.close()
        for server in cluster.servers {
            let log = try await cluster.send(["ACL", "LOG"], to: server.port)
            #expect(log.array?.isEmpty == true, "ACL LOG on \(server.port): \(log)")
        }
    }

    @Test("a user without the cluster commands gets an error naming the command; one with cluster|slots only still works")
    func missingClusterCommandIsNamed() async throws {
        let cluster = try Self.cluster()
        let queue = DistributedTestSupport.uniqueQueue("cluster-acl-missing")
        let base = AccessControl.rules(for: .client, queueName: queue, layout: Self.layout)
        try await Self.setUser("ops-nocluster", rules: base, on: cluster)
        try await Self.setUser("ops-slotsonly", rules: base + ["+cluster|slots", "+asking"], on: cluster)

        let refused = RedisClient(configuration: try Self.configuration(cluster, user: "ops-nocluster"))
        do {
            _ = try await refused.send(["GET", "flowcraft:layout:\(queue)"])
            Issue.record("a user without cluster|shards and cluster|slots read the slot map")
        } catch {
            let text = "\(error)"
            #expect(text.contains("cluster|shards") && text.contains("cluster|slots") && text.contains("NOPERM"), "\(text)")
        }
        await refused.close()

        let slotsOnly = RedisClient(configuration: try Self.configuration(cluster, user: "ops-slotsonly"))
        do {
            _ = try await slotsOnly.send(["SET", "flowcraft:acl-probe:{\(queue).1}", "1"])
            let reply = try await slotsOnly.send(["GET", "flowcraft:acl-probe:{\(queue).1}"])
            #expect(reply.string == "1")
        } catch {
            Issue.record("a user with cluster|slots but not cluster|shards: \(error)")
        }
        await slotsOnly.close()
    }
}

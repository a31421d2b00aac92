import Foundation
import Flowcraft
@testable import FlowcraftRedis
import Testing

/// Subflows under worker crashes: parents whose middle node is a subflow of the chaos fan-out
/// blueprint, on two `flowcraft worker` processes while one is SIGKILLed and restarted. Every parent
/// and every child must complete, each with every node committed exactly once, and no parent may
/// have started a second child.
@Suite("Chaos: subflows with killed workers", .requiresRedis, .serialized)
struct SubflowChaosTests {
    static let runs = 60
    /// first → sub (subflow of `fan`) → last.
    static let parent = WorkflowBlueprint(
        id: "outer",
        nodes: [
            NodeDefinition(id: "first", uses: "work"),
            NodeDefinition(id: "sub", uses: "subflow", params: ["blueprintId": "fan"]),
            NodeDefinition(id: "last", uses: "work"),
        ],
        edges: [EdgeDefinition(source: "first", target: "sub"), EdgeDefinition(source: "sub", target: "last")])

    @Test("parents with a subflow on two worker processes, one SIGKILLed and restarted: all complete, each commit once")
    func killedWorker() async throws {
        let url = try #require(TestRedis.url)
        try await Self.exercise(url: url, configuration: try TestRedis.configuration()) { restartWorker in
            for _ in 0..<3 {
                try await Task.sleep(for: .milliseconds(Int.random(in: 150...400)))
                try await restartWorker()
            }
        }
    }

    @Test("the same while Redis (AOF on) is killed and restarted mid-run: child notifications survive", .requiresRedisServerBinary)
    func restartedRedis() async throws {
        try await PrivateRedisServer.with(appendOnly: true) { server in
            try await Self.exercise(url: server.url, configuration: server.configuration()) { restartWorker in
                try await Task.sleep(for: .milliseconds(Int.random(in: 200...400)))
                try await server.restart(kill: true)
                try await Task.sleep(for: .milliseconds(Int.random(in: 150...300)))
                try await restartWorker()
            }
        }
    }

    /// Starts the parents on two worker processes, lets `disturb` do its damage, reconciles until
    /// every parent finished, and checks parents and children.
    static func exercise(
        url: String, configuration: RedisConfiguration,
        disturb: @Sendable (_ restartWorker: @Sendable () async throws -> Void) async throws -> Void
    ) async throws {
        let binary = try #require(ChaosTests.flowcraftBinary, "the flowcraft executable must be built (swift build --build-tests)")
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("flowcraft-subchaos-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        try JSONEncoder().encode(ChaosTests.blueprint).write(to: directory.appendingPathComponent("fan.json"))
        try JSONEncoder().encode(Self.parent).write(to: directory.appendingPathComponent("outer.json"))
        let queue = DistributedTestSupport.uniqueQueue("subchaos")
        let options = DistributedOptions(queueName: queue, stateTTLSeconds: 600)
        let client = RedisClient(configuration: configuration)
        let catalog = try BlueprintCatalog([ChaosTests.blueprint, Self.parent])
        let workflows = WorkflowClient(client: client, catalog: catalog, options: options)
        @Sendable func worker(_ name: String) throws -> ChaosTests.WorkerProcess {
            try ChaosTests.WorkerProcess(binary: binary, blueprints: directory.path, url: url, queue: queue, name: name)
        }
        let stable = try worker("stable")
        let victim = PthreadMutex(try worker("victim"))

        var runIDs: [String] = []
        for _ in 0..<Self.runs { runIDs.append(try await workflows.startWorkflow(blueprintID: "outer")) }
        try await disturb {
            await victim.withLock { $0 }.kill()
            let fresh = try worker("victim")
            victim.withLock { $0 = fresh }
        }

        let unfinished = try await ChaosTests.reconcileUntilFinished(
            runIDs, workflows: workflows, reconciler: WorkflowReconciler(
                client: client, catalog: catalog, options: options, stalledThresholdSeconds: 3),
            timeout: .seconds(60))
        await stable.kill()
        await victim.withLock { $0 }.kill()

        #expect(unfinished.isEmpty, "\(unfinished.count) runs did not finish")
        var notCompleted: [String] = []
        var wrongCommits: [String: Int] = [:]
        for runID in runIDs {
            let childID = SubflowParentLink.childRunID(parent: runID, node: NodeInstance("sub"))
            for (id, nodes) in [(runID, Self.parent.nodes.count), (childID, ChaosTests.blueprint.nodes.count)] {
                let status = try await workflows.status(id)
                if status?.status != .completed {
                    notCompleted.append(ChaosTests.describe(id, status))
                }
                let commits = try await client.send(["SCARD", DistributedKeys(runID: id).done]).int ?? 0
                if commits != nodes { wrongCommits[id] = commits }
            }
            // Children are only ever `<runId>/sub#0`: no other child keys for this parent.
            let children = try await client.send(["KEYS", "flowcraft:run:\(runID)/*"]).array?.compactMap(\.string) ?? []
            if children != [DistributedKeys(runID: childID).run] { notCompleted.append("\(runID): children \(children)") }
        }
        #expect(notCompleted.isEmpty, "not completed: \(notCompleted.prefix(5))")
        #expect(wrongCommits.isEmpty, "runs whose node completions were not committed exactly once: \(ChaosTests.describe(commits: wrongCommits))")
        await client.close()
        try? FileManager.default.removeItem(at: directory)
    }
}

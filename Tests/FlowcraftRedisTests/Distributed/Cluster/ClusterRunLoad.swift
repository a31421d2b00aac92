import Foundation
import Flowcraft
@testable import FlowcraftRedis
import Testing

/// Many concurrent diamond runs on a sharded queue of a Redis Cluster, served by several distributed
/// workers (each with a client of its own), with every node execution counted — what the cluster
/// engine tests check after a load, a resharding or a fail-over: each run completed, each node
/// committed once (one `nodeFinished` in the run's history) and executed once (the side-effect count).
struct ClusterRunLoad {
    var runs = 200
    var layout = QueueLayout.sharded(count: 16)
    var workers = 2
    var concurrency = 16
    /// Each node sleeps a random time in this range (ms); `nil` for none.
    var nodeDelay: ClosedRange<Int>?
    var timeout: Duration = .seconds(120)

    /// What happened to the runs.
    struct Report: Sendable {
        var runIDs: [String]
        /// Run ids whose final status was not `completed`, with the status.
        var unfinished: [String]
        /// `runID/node` executed more than once, with the count.
        var repeatedExecutions: [String: Int]
        /// `runID/node` never executed.
        var missingExecutions: [String]
        /// `runID/node` with other than one `nodeFinished` history event, with the count.
        var historyMismatches: [String: Int]
        /// Distinct shards the runs were placed on.
        var shardsUsed: Int
    }

    static let nodes = ["a", "b", "c", "d", "e"]

    /// Starts the runs, runs `during` while they are in flight (its arguments: the queue's shards and
    /// the started run ids),
    /// waits for every run, then reads each run's history.
    func execute(
        configuration: RedisConfiguration, during: @Sendable (QueueShards, [String]) async throws -> Void = { _, _ in }
    ) async throws -> Report {
        let queue = DistributedTestSupport.uniqueQueue("cluster")
        let executions = PthreadMutex<[String: Int]>([:])
        let delay = nodeDelay
        var registry = NodeRegistry()
        registry.register("count") { ctx in
            executions.withLock { $0["\(ctx.runID)/\(ctx.nodeID)", default: 0] += 1 }
            if let delay { try await Task.sleep(for: .milliseconds(Int.random(in: delay))) }
            return NodeResult(output: .string(ctx.nodeID))
        }
        let blueprint = DistributedTestSupport.diamond(id: "cluster-diamond", uses: "count")
        var options = DistributedOptions(queueName: queue)
        options.layout = layout
        var workerClients: [RedisClient] = []
        var running: [DistributedWorker] = []
        for _ in 0..<workers {
            let client = RedisClient(configuration: configuration)
            workerClients.append(client)
            let worker = try DistributedWorker(
                blueprints: [blueprint], registry: registry, client: client, options: options,
                workerOptions: WorkerOptions(concurrency: concurrency, drainDelay: 0.5))
            worker.start()
            running.append(worker)
        }
        let client = RedisClient(configuration: configuration)
        func closeAll() async {
            for worker in running { await worker.close() }
            for workerClient in workerClients { await workerClient.close() }
            await client.close()
        }
        do {
            let report = try await drive(client: client, blueprint: blueprint, options: options, executions: executions, during: during)
            await closeAll()
            return report
        } catch {
            await closeAll()
            throw error
        }
    }

    private func drive(
        client: RedisClient, blueprint: WorkflowBlueprint, options: DistributedOptions,
        executions: borrowing PthreadMutex<[String: Int]>, during: @Sendable (QueueShards, [String]) async throws -> Void
    ) async throws -> Report {
        let workflows = try WorkflowClient(client: client, blueprints: [blueprint], options: options)
        let runIDs = try await withThrowingTaskGroup(of: String.self) { group in
            for index in 0..<runs {
                group.addTask { try await workflows.startWorkflow(blueprintID: blueprint.id, runID: "load-\(index)") }
            }
            var started: [String] = []
            for try await runID in group { started.append(runID) }
            return started.sorted()
        }
        let shards = QueueShards(queueName: options.queueName, layout: layout)
        try await during(shards, runIDs)
        let timeout = timeout
        let unfinished = try await withThrowingTaskGroup(of: String?.self) { group in
            for runID in runIDs {
                group.addTask {
                    let status = try await workflows.result(runID, timeout: timeout)
                    return status.status == .completed ? nil : "\(runID): \(status.status.rawValue) \(status.reason ?? "")"
                }
            }
            var unfinished: [String] = []
            for try await problem in group { if let problem { unfinished.append(problem) } }
            return unfinished
        }
        let counts = executions.withLock { $0 }
        var repeated: [String: Int] = [:]
        var missing: [String] = []
        for runID in runIDs {
            for node in Self.nodes {
                let count = counts["\(runID)/\(node)", default: 0]
                if count == 0 { missing.append("\(runID)/\(node)") }
                if count > 1 { repeated["\(runID)/\(node)"] = count }
            }
        }
        let history = RedisRunHistory(client: client, queueName: options.queueName, layout: layout)
        var mismatches: [String: Int] = [:]
        for runID in runIDs {
            var finished: [String: Int] = [:]
            for event in try await history.events(of: runID) {
                if case .nodeFinished(let execution) = event.kind { finished[execution.nodeID, default: 0] += 1 }
            }
            for node in Self.nodes where finished[node, default: 0] != 1 {
                mismatches["\(runID)/\(node)"] = finished[node, default: 0]
            }
        }
        return Report(
            runIDs: runIDs, unfinished: unfinished, repeatedExecutions: repeated, missingExecutions: missing,
            historyMismatches: mismatches, shardsUsed: Set(runIDs.compactMap(shards.shard(ofRunID:))).count)
    }
}

extension ClusterRunLoad.Report {
    /// Records an issue for every run not completed and every node not committed exactly once; with
    /// `executedOnce`, also for every node executed more or less than once.
    func expectEveryRunCompletedOnce(executedOnce: Bool = true, sourceLocation: Testing.SourceLocation = #_sourceLocation) {
        #expect(unfinished.isEmpty, "runs not completed: \(unfinished.prefix(10))", sourceLocation: sourceLocation)
        #expect(historyMismatches.isEmpty, "nodes not committed exactly once (nodeFinished count): \(historyMismatches.sorted { $0.key < $1.key }.prefix(10))", sourceLocation: sourceLocation)
        #expect(missingExecutions.isEmpty, "nodes never executed: \(missingExecutions.prefix(10))", sourceLocation: sourceLocation)
        if executedOnce {
            #expect(repeatedExecutions.isEmpty, "nodes executed more than once: \(repeatedExecutions.sorted { $0.key < $1.key }.prefix(10))", sourceLocation: sourceLocation)
        }
    }
}

import Flowcraft
import FlowcraftRedis
import Foundation
import Logging

/// `flowcraft-benchmark retention [--url URL] [--runs N] [--every K] [--state-ttl S] [--concurrency C]`
///
/// Shows that Redis stays bounded under the distributed engine's defaults: N runs of the 5-node
/// diamond (no-op nodes) go through one in-process worker in batches of K; after each batch (once
/// the queue's active-runs index is empty) it prints Redis `used_memory`, `DBSIZE` and the sizes of
/// the queue's completed/failed sets. With the default retention (1 000 completed, 10 000 failed jobs,
/// none older than the state TTL) and a state TTL shorter than a batch, every figure plateaus.
enum RetentionBenchmark {
    static func run(arguments: [String]) async {
        var url = ProcessInfo.processInfo.environment["FLOWCRAFT_BENCH_REDIS_URL"] ?? "redis://127.0.0.1:6379"
        var runs = 100_000
        var every = 10_000
        var stateTTL = 5
        var concurrency = 32
        var index = 0
        while index < arguments.count {
            let value = index + 1 < arguments.count ? arguments[index + 1] : ""
            switch arguments[index] {
            case "--url": url = value
            case "--runs", "-n": runs = max(1, Int(value) ?? runs)
            case "--every": every = max(1, Int(value) ?? every)
            case "--state-ttl": stateTTL = max(0, Int(value) ?? stateTTL)
            case "--concurrency", "-c": concurrency = max(1, Int(value) ?? concurrency)
            default:
                print("unknown option \(arguments[index]); usage: retention [--url URL] [--runs N] [--every K] [--state-ttl S] [--concurrency C]")
                return
            }
            index += 2
        }
        do {
            try await measure(url: url, runs: runs, every: every, stateTTL: stateTTL, concurrency: concurrency)
        } catch {
            print("retention benchmark failed: \(error)")
        }
    }

    private static func measure(url: String, runs: Int, every: Int, stateTTL: Int, concurrency: Int) async throws {
        var logger = Logger(label: "flowcraft.benchmark.retention")
        logger.logLevel = .warning
        let queueName = "bench-retention-\(Int.random(in: 0..<1_000_000_000))"
        let options = DistributedOptions(queueName: queueName, stateTTLSeconds: stateTTL, logger: logger)
        let client = try RedisClient(url: url, poolSize: 4, logger: logger)
        let worker = try DistributedWorker(
            blueprints: [E2EBenchmark.diamond()], registry: E2EBenchmark.registry(), client: client, options: options,
            workerOptions: WorkerOptions(concurrency: concurrency))
        worker.start()
        let workflows = try WorkflowClient(client: client, blueprints: [E2EBenchmark.diamond()], options: options)
        let activeKey = "flowcraft:runs:active:\(queueName)"
        print("RETENTION queue=\(queueName) runs=\(runs) every=\(every) state_ttl_s=\(stateTTL) keep_completed=\(options.keepCompletedJobs.map(String.init) ?? "all") keep_failed=\(options.keepFailedJobs.map(String.init) ?? "all")")
        try await report(client, queueName: queueName, done: 0, seconds: 0)
        let start = ContinuousClock.now
        var done = 0
        while done < runs {
            let batch = min(every, runs - done)
            try await withThrowingTaskGroup(of: Void.self) { group in
                let perTask = (batch + 15) / 16
                for t in 0..<16 {
                    group.addTask {
                        for _ in 0..<max(0, min(perTask, batch - t * perTask)) {
                            try await workflows.startWorkflow(blueprintID: "bench-diamond")
                        }
                    }
                }
                try await group.waitForAll()
            }
            while try await client.send(["ZCARD", activeKey]).int ?? 0 > 0 {
                try await Task.sleep(for: .milliseconds(20))
            }
            done += batch
            let elapsed = ContinuousClock.now - start
            try await report(client, queueName: queueName, done: done, seconds: Double(elapsed.components.seconds))
        }
        await worker.close()
        await client.close()
    }

    private static func report(_ client: RedisClient, queueName: String, done: Int, seconds: Double) async throws {
        let memory = try await client.send(["INFO", "memory"]).string ?? ""
        let used = memory.split(whereSeparator: \.isNewline).first { $0.hasPrefix("used_memory:") }?
            .split(separator: ":").last.map(String.init) ?? "?"
        let keys = try await client.send(["DBSIZE"]).int ?? -1
        let completed = try await client.send(["ZCARD", "bull:\(queueName):completed"]).int ?? -1
        let failed = try await client.send(["ZCARD", "bull:\(queueName):failed"]).int ?? -1
        print("RETENTION runs=\(done) elapsed_s=\(Int(seconds)) used_memory=\(used) dbsize=\(keys) completed_jobs=\(completed) failed_jobs=\(failed)")
    }
}

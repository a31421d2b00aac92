import Flowcraft
import FlowcraftRedis
import Foundation
import Logging

/// `flowcraft-benchmark e2e [--url URL] [--runs N] [--workers W,…] [--concurrency C] [--keep-completed all|N] [--shards N]`
///
/// Distributed runs end to end through Redis: N runs of a 5-node diamond (a → b, a → c, b → d,
/// c → d, d → e; no-op nodes) executed by W worker *processes* (this executable in `e2e-worker`
/// mode), for each W given. The runs are started while the queue is paused, then the clock and the
/// Redis counters start and the queue is resumed; the pass ends when the queue's active-runs index is
/// empty. Prints one `RESULT` line per worker count: runs/s, node executions/s, Redis CPU µs, socket
/// reads (≈ client round trips) and script calls per node execution. With `--breakdown`, also one
/// `COMMAND` line per Redis command (commands run inside scripts included): calls and server µs per
/// node execution, from `INFO commandstats` deltas (a script's µs include the commands it ran).
/// `--keep-completed` sets the workers' completed-job retention: `all` keeps every completed job
/// (retention off), a number keeps at most that many (none older than the state TTL); without it
/// the engine's default applies (``DistributedOptions/keepCompletedJobs``). `--history off` runs
/// without run history (``DistributedOptions/history``), to measure what recording it costs.
enum E2EBenchmark {
    struct Options {
        var url = "redis://127.0.0.1:6379"
        var runs = 2000
        var workers = [1, 2, 4]
        var concurrency = 32
        var breakdown = false
        /// `nil`: the engine's default retention; "all" or a count otherwise.
        var keepCompleted: String?
        /// `--history off` runs without run history (the default records it, as the engine does).
        var historyOff = false
        /// `--shards N`: a sharded layout of N shard queues (``QueueLayout``); the single layout when `nil`.
        var shards: Int?
    }

    static let nodesPerRun = 5

    static func diamond() -> WorkflowBlueprint {
        WorkflowBlueprint(
            id: "bench-diamond",
            nodes: ["a", "b", "c", "d", "e"].map { NodeDefinition(id: $0, uses: "noop") },
            edges: [
                EdgeDefinition(source: "a", target: "b"), EdgeDefinition(source: "a", target: "c"),
                EdgeDefinition(source: "b", target: "d"), EdgeDefinition(source: "c", target: "d"),
                EdgeDefinition(source: "d", target: "e"),
            ])
    }

    static func registry() -> NodeRegistry {
        var registry = NodeRegistry()
        registry.register("noop") { _ in NodeResult() }
        return registry
    }

    static func run(arguments: [String]) async {
        var options = Options()
        if let url = ProcessInfo.processInfo.environment["FLOWCRAFT_BENCH_REDIS_URL"] { options.url = url }
        var index = 0
        while index < arguments.count {
            let value = index + 1 < arguments.count ? arguments[index + 1] : ""
            switch arguments[index] {
            case "--url": options.url = value
            case "--runs", "-n": options.runs = max(1, Int(value) ?? options.runs)
            case "--workers", "-w": options.workers = value.split(separator: ",").compactMap { Int($0) }.filter { $0 > 0 }
            case "--concurrency", "-c": options.concurrency = max(1, Int(value) ?? options.concurrency)
            case "--keep-completed":
                guard value == "all" || (Int(value) ?? -1) >= 0 else {
                    print("--keep-completed takes `all` or a count ≥ 0, got '\(value)'")
                    return
                }
                options.keepCompleted = value
            case "--history":
                guard value == "on" || value == "off" else {
                    print("--history takes `on` or `off`, got '\(value)'")
                    return
                }
                options.historyOff = value == "off"
            case "--shards":
                guard let count = Int(value), (1...QueueLayout.maximumShardCount).contains(count) else {
                    print("--shards takes a count 1…\(QueueLayout.maximumShardCount), got '\(value)'")
                    return
                }
                options.shards = count
            case "--breakdown":
                options.breakdown = true
                index += 1
                continue
            default:
                print("unknown option \(arguments[index]); usage: e2e [--url URL] [--runs N] [--workers 1,2,4] [--concurrency C] [--keep-completed all|N] [--history on|off] [--shards N] [--breakdown]")
                return
            }
            index += 2
        }
        for workers in options.workers {
            do {
                try await measure(options, workers: workers)
            } catch {
                print("e2e benchmark failed: \(error)")
            }
        }
    }

    private static func measure(_ options: Options, workers: Int) async throws {
        var logger = Logger(label: "flowcraft.benchmark")
        logger.logLevel = .warning
        let queueName = "bench-e2e-\(Int.random(in: 0..<1_000_000_000))"
        var distributed = DistributedOptions(queueName: queueName, stateTTLSeconds: 600, logger: logger)
        if options.historyOff { distributed.history = .off }
        distributed.layout = options.shards.map { .sharded(count: $0) }
        let client = try RedisClient(url: options.url, poolSize: 2, logger: logger)
        // One BullMQ queue per shard (the queue itself in the single layout), all paused while runs start.
        let queues = try distributed.shards.queueNames.map { try Queue(name: $0, client: client) }
        for queue in queues { try await queue.pause() }

        var processes: [Process] = []
        defer { for process in processes where process.isRunning { process.terminate() } }
        for _ in 0..<workers {
            let process = Process()
            process.executableURL = URL(fileURLWithPath: "/proc/self/exe").resolvingSymlinksInPath()
            process.arguments = [
                "e2e-worker", "--url", options.url, "--queue", queueName, "--concurrency", String(options.concurrency),
            ] + (options.keepCompleted.map { ["--keep-completed", $0] } ?? [])
                + (options.historyOff ? ["--history", "off"] : [])
                + (options.shards.map { ["--shards", String($0)] } ?? [])
            try process.run()
            processes.append(process)
        }

        let workflows = try WorkflowClient(client: client, blueprints: [diamond()], options: distributed)
        try await withThrowingTaskGroup(of: Void.self) { group in
            let perTask = (options.runs + 15) / 16
            for t in 0..<16 {
                group.addTask {
                    for _ in 0..<max(0, min(perTask, options.runs - t * perTask)) {
                        try await workflows.startWorkflow(blueprintID: "bench-diamond")
                    }
                }
            }
            try await group.waitForAll()
        }
        // Let the worker processes connect and block on the paused queue's marker.
        try await Task.sleep(for: .milliseconds(500))

        let activeKeys = distributed.shards.queueNames.map { "flowcraft:runs:active:\($0)" }
        let workerCPUBefore = processes.map { Self.cpuSeconds(pid: $0.processIdentifier) }
        let before = try await E2ECounters.read(client)
        let start = ContinuousClock.now
        for queue in queues { try await queue.resume() }
        var remaining = activeKeys
        while !remaining.isEmpty {
            if try await client.send(["ZCARD", remaining[0]]).int ?? 0 > 0 {
                try await Task.sleep(for: .milliseconds(5))
            } else {
                remaining.removeFirst()
            }
        }
        let elapsed = ContinuousClock.now - start
        let after = try await E2ECounters.read(client)
        let workerCPU = zip(processes, workerCPUBefore).map { Self.cpuSeconds(pid: $0.processIdentifier) - $1 }.reduce(0, +)
        for process in processes { process.terminate() }
        for process in processes { process.waitUntilExit() }
        processes = []

        let seconds = Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18
        let nodes = Double(options.runs * nodesPerRun)
        var failed = 0
        for queue in queues { failed += try await queue.getJobCounts().failed }
        print(String(
            format: "RESULT mode=e2e workers=%d concurrency=%d runs=%d seconds=%.3f runs_per_s=%.0f node_executions_per_s=%.0f redis_cpu_us_per_node=%.1f reads_per_node=%.2f script_calls_per_node=%.2f commands_executed_per_node=%.1f failed_jobs=%d",
            workers, options.concurrency, options.runs, seconds, Double(options.runs) / seconds, nodes / seconds,
            (after.cpuSeconds - before.cpuSeconds) * 1e6 / nodes, Double(after.reads - before.reads) / nodes,
            Double(after.scriptCalls - before.scriptCalls) / nodes, Double(after.commands - before.commands) / nodes,
            failed))
        print(String(
            format: "WORKERS workers=%d worker_cpu_us_per_node=%.1f (user+sys of the worker processes, /proc, 10 ms ticks)",
            workers, workerCPU * 1e6 / nodes))
        if options.breakdown {
            print(String(
                format: "CPU workers=%d user_us_per_node=%.1f sys_us_per_node=%.1f", workers,
                (after.userSeconds - before.userSeconds) * 1e6 / nodes, (after.sysSeconds - before.sysSeconds) * 1e6 / nodes))
            for (name, delta) in after.deltas(since: before).sorted(by: { $0.value.usec > $1.value.usec }) {
                print("COMMAND workers=\(workers) cmd=\(name) " + String(
                    format: "calls_per_node=%.2f usec_per_node=%.2f", Double(delta.calls) / nodes, Double(delta.usec) / nodes))
            }
        }
        await client.close()
    }

    /// User + system CPU seconds of a process so far (`/proc/PID/stat`), 0 when unreadable.
    static func cpuSeconds(pid: Int32) -> Double {
        guard let stat = try? String(contentsOfFile: "/proc/\(pid)/stat", encoding: .utf8),
            let close = stat.lastIndex(of: ")")
        else { return 0 }
        // Fields after the command name: state is field 3, utime 14 and stime 15.
        let fields = stat[stat.index(after: close)...].split(separator: " ")
        guard fields.count > 12, let user = Double(fields[11]), let system = Double(fields[12]) else { return 0 }
        return (user + system) / Double(sysconf(Int32(_SC_CLK_TCK)))
    }

    /// `e2e-worker --url URL --queue NAME --concurrency C`: one worker process of the benchmark.
    static func runWorker(arguments: [String]) async {
        var url = "redis://127.0.0.1:6379"
        var queueName = "flowcraft-queue"
        var concurrency = 32
        var keepCompleted: String?
        var historyOff = false
        var shards: Int?
        var index = 0
        while index + 1 < arguments.count {
            switch arguments[index] {
            case "--url": url = arguments[index + 1]
            case "--queue": queueName = arguments[index + 1]
            case "--concurrency": concurrency = max(1, Int(arguments[index + 1]) ?? concurrency)
            case "--keep-completed": keepCompleted = arguments[index + 1]
            case "--history": historyOff = arguments[index + 1] == "off"
            case "--shards": shards = Int(arguments[index + 1])
            default: break
            }
            index += 2
        }
        do {
            var logger = Logger(label: "flowcraft.benchmark.worker")
            logger.logLevel = .warning
            let client = try RedisClient(url: url, poolSize: 2, logger: logger)
            var workerOptions = WorkerOptions(concurrency: concurrency)
            switch keepCompleted {
            case "all"?: workerOptions.removeOnComplete = .keepAll
            case let count?: workerOptions.removeOnComplete = .keep(age: 600, count: Int(count) ?? 0)
            case nil: break
            }
            var options = DistributedOptions(queueName: queueName, stateTTLSeconds: 600, logger: logger)
            if historyOff { options.history = .off }
            options.layout = shards.map { .sharded(count: $0) }
            let worker = try DistributedWorker(
                blueprints: [diamond()], registry: registry(), client: client, options: options,
                workerOptions: workerOptions)
            // SIGTERM from the parent ends the process; nothing needs a graceful stop here.
            try await worker.run()
        } catch {
            print("e2e worker failed: \(error)")
        }
    }
}

/// Redis counters read before and after a pass.
struct E2ECounters {
    var cpuSeconds = 0.0
    var userSeconds = 0.0
    var sysSeconds = 0.0
    var reads = 0
    var scriptCalls = 0
    var commands = 0
    /// Calls and server µs per command name (`cmdstat_<name>`).
    var perCommand: [String: (calls: Int, usec: Int)] = [:]

    /// The per-command changes from `before` to these counters, for commands that ran in between.
    func deltas(since before: E2ECounters) -> [String: (calls: Int, usec: Int)] {
        var result: [String: (calls: Int, usec: Int)] = [:]
        for (name, now) in perCommand {
            let then = before.perCommand[name] ?? (0, 0)
            if now.calls > then.calls { result[name] = (now.calls - then.calls, now.usec - then.usec) }
        }
        return result
    }

    static func read(_ client: RedisClient) async throws -> E2ECounters {
        let reply = try await client.send(["INFO", "cpu", "stats", "commandstats"])
        var counters = E2ECounters()
        for line in (reply.string ?? "").split(whereSeparator: \.isNewline) {
            let parts = line.split(separator: ":", maxSplits: 1)
            guard parts.count == 2 else { continue }
            let value = parts[1]
            let fields = value.split(separator: ",")
            let calls = fields.first?.split(separator: "=").last.flatMap { Int($0) } ?? 0
            if parts[0].hasPrefix("cmdstat_") {
                let usec = fields.dropFirst().first?.split(separator: "=").last.flatMap { Int($0) } ?? 0
                counters.perCommand[String(parts[0].dropFirst(8))] = (calls, usec)
            }
            switch parts[0] {
            case "used_cpu_sys":
                counters.cpuSeconds += Double(value) ?? 0
                counters.sysSeconds = Double(value) ?? 0
            case "used_cpu_user":
                counters.cpuSeconds += Double(value) ?? 0
                counters.userSeconds = Double(value) ?? 0
            case "total_reads_processed": counters.reads = Int(value) ?? 0
            case "cmdstat_evalsha", "cmdstat_eval":
                counters.scriptCalls += calls
                counters.commands += calls
            default:
                if parts[0].hasPrefix("cmdstat_") { counters.commands += calls }
            }
        }
        return counters
    }
}

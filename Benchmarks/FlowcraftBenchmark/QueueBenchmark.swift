import FlowcraftModel
import FlowcraftRedis
import Logging
import Synchronization

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// `flowcraft-benchmark queue --mode add|addBulk|worker [--url URL] [--jobs N] [--concurrency C]
/// [--batch B] [--queue NAME]`
///
/// Measures the BullMQ-compatible queue with no-op jobs: adding one job at a time, adding in bulk
/// (B jobs per round trip), or processing N pre-added jobs with a worker at concurrency C. Prints one
/// `RESULT key=value …` line with jobs/s, Redis CPU µs per job (from `INFO cpu`), Redis socket reads
/// per job (`total_reads_processed`, i.e. client round trips) and script calls per job
/// (`cmdstat_evalsha`/`cmdstat_eval`), which `scripts/bench-queue.sh` collects.
enum QueueBenchmark {
    struct Options {
        var url = "redis://127.0.0.1:6379"
        var mode = "worker"
        var jobs = 20_000
        var concurrency = 16
        var batch = 1000
        var queue = "bench-\(Int.random(in: 0..<1_000_000_000))"
    }

    static func run(arguments: [String]) async {
        var options = Options()
        if let url = environment("FLOWCRAFT_BENCH_REDIS_URL") { options.url = url }
        var index = 0
        while index < arguments.count {
            let value = index + 1 < arguments.count ? arguments[index + 1] : ""
            switch arguments[index] {
            case "--url": options.url = value
            case "--mode": options.mode = value
            case "--jobs", "-n": options.jobs = max(1, Int(value) ?? options.jobs)
            case "--concurrency", "-c": options.concurrency = max(1, Int(value) ?? options.concurrency)
            case "--batch": options.batch = max(1, Int(value) ?? options.batch)
            case "--queue": options.queue = value
            default:
                print("unknown option \(arguments[index]); usage: queue --mode add|addBulk|worker [--url URL] [--jobs N] [--concurrency C] [--batch B] [--queue NAME]")
                return
            }
            index += 2
        }
        do {
            try await measure(options)
        } catch {
            print("queue benchmark failed: \(error)")
        }
    }

    private static func measure(_ options: Options) async throws {
        var logger = Logger(label: "flowcraft.benchmark")
        logger.logLevel = .warning
        let client = try RedisClient(url: options.url, poolSize: 2, logger: logger)
        defer { Task { await client.close() } }
        let queue = try Queue(name: options.queue, client: client)
        let jobs = (0..<options.jobs).map { JobDescription(name: "noop", data: ["i": .int($0)]) }

        let before: ServerCounters
        let start: ContinuousClock.Instant
        switch options.mode {
        case "add":
            before = try await ServerCounters.read(client)
            start = .now
            for job in jobs { try await queue.add(name: job.name, data: job.data) }
        case "addBulk":
            before = try await ServerCounters.read(client)
            start = .now
            var offset = 0
            while offset < jobs.count {
                let end = min(jobs.count, offset + options.batch)
                try await queue.addBulk(Array(jobs[offset..<end]))
                offset = end
            }
        case "worker":
            var offset = 0
            while offset < jobs.count {
                let end = min(jobs.count, offset + 5000)
                try await queue.addBulk(Array(jobs[offset..<end]))
                offset = end
            }
            let done = Atomic<Int>(0)
            let total = options.jobs
            let finished = AsyncStream<Void>.makeStream()
            let worker = try Worker(
                queueName: options.queue, client: client,
                options: WorkerOptions(concurrency: options.concurrency), logger: logger
            ) { _ in
                if done.add(1, ordering: .relaxed).newValue == total { finished.continuation.finish() }
                return .null
            }
            before = try await ServerCounters.read(client)
            start = .now
            let running = Task { try await worker.run() }
            for await _ in finished.stream {}
            let elapsed = start.duration(to: .now)
            let after = try await ServerCounters.read(client)
            await worker.close()
            _ = try? await running.value
            let counts = try await queue.getJobCounts()
            guard counts.completed == total else {
                print("queue benchmark: expected \(total) completed jobs, found \(counts.completed)")
                return
            }
            report(options, elapsed: elapsed, before: before, after: after)
            return
        default:
            print("unknown mode \(options.mode); expected add, addBulk or worker")
            return
        }
        let elapsed = start.duration(to: .now)
        let after = try await ServerCounters.read(client)
        report(options, elapsed: elapsed, before: before, after: after)
    }

    private static func report(_ options: Options, elapsed: Duration, before: ServerCounters, after: ServerCounters) {
        let seconds = Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18
        let jobs = Double(options.jobs)
        // The counter reads themselves cost one round trip and one INFO call; leave them out.
        let reads = max(0, after.reads - before.reads - 1)
        let fields = [
            "impl=swift", "mode=\(options.mode)", "concurrency=\(options.mode == "worker" ? options.concurrency : 0)",
            "jobs=\(options.jobs)", "seconds=\(fixed(seconds, 3))", "jobs_per_s=\(fixed(jobs / seconds, 0))",
            "redis_cpu_us_per_job=\(fixed((after.cpuSeconds - before.cpuSeconds) * 1e6 / jobs, 1))",
            "round_trips_per_job=\(fixed(Double(reads) / jobs, 3))",
            "script_calls_per_job=\(fixed(Double(after.scriptCalls - before.scriptCalls) / jobs, 3))",
        ]
        print("RESULT " + fields.joined(separator: " "))
    }

    private static func fixed(_ value: Double, _ digits: Int) -> String {
        var scale = 1.0
        for _ in 0..<digits { scale *= 10 }
        let rounded = (value * scale).rounded() / scale
        return digits == 0 ? String(Int(rounded)) : String(rounded)
    }

    private static func environment(_ name: String) -> String? {
        guard let value = getenv(name) else { return nil }
        return String(cString: value)
    }
}

/// Server-side counters from `INFO`: CPU seconds, socket reads (≈ client round trips), script calls.
struct ServerCounters {
    var cpuSeconds = 0.0
    var reads = 0
    var scriptCalls = 0

    static func read(_ client: RedisClient) async throws -> ServerCounters {
        let reply = try await client.send(["INFO", "cpu", "stats", "commandstats"])
        var counters = ServerCounters()
        for line in (reply.string ?? "").split(whereSeparator: \.isNewline) {
            let parts = line.split(separator: ":", maxSplits: 1)
            guard parts.count == 2 else { continue }
            let key = parts[0]
            let value = parts[1]
            switch key {
            case "used_cpu_sys", "used_cpu_user": counters.cpuSeconds += Double(value) ?? 0
            case "total_reads_processed": counters.reads = Int(value) ?? 0
            case "cmdstat_evalsha", "cmdstat_eval":
                // calls=N,usec=…
                let calls = value.split(separator: ",").first?.split(separator: "=").last
                counters.scriptCalls += calls.flatMap { Int($0) } ?? 0
            default: break
            }
        }
        return counters
    }
}

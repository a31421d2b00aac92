import Foundation
import FlowcraftRedis

/// `flowcraft-benchmark redis [--url URL] [--requests N] [--concurrency C] [--pool P] [--repeats R]`
///
/// Measures the Redis client's throughput with C concurrent tasks issuing PING, SET and GET (and an
/// EVALSHA script) through one auto-pipelined connection and through a pool, so the figures can be
/// compared with `redis-benchmark -P 1` / `-P 16` against the same server.
enum RedisBenchmark {
    struct Options {
        var url = "redis://127.0.0.1:6379"
        var requests = 200_000
        var concurrency = 16
        var pool = 2
        /// Each figure is the best of this many runs (the machine is shared; the best run is the
        /// least disturbed one).
        var repeats = 3
    }

    static func run(arguments: [String]) async {
        var options = Options()
        if let url = Self.environment("FLOWCRAFT_BENCH_REDIS_URL") { options.url = url }
        var index = 0
        while index < arguments.count {
            let value = index + 1 < arguments.count ? arguments[index + 1] : ""
            switch arguments[index] {
            case "--url": options.url = value
            case "--requests", "-n": options.requests = Int(value) ?? options.requests
            case "--concurrency", "-c": options.concurrency = Int(value) ?? options.concurrency
            case "--pool": options.pool = Int(value) ?? options.pool
            case "--repeats": options.repeats = max(1, Int(value) ?? options.repeats)
            default:
                print("unknown option \(arguments[index]); usage: redis [--url URL] [--requests N] [--concurrency C] [--pool P] [--repeats R]")
                return
            }
            index += 2
        }
        do {
            try await measure(options)
        } catch {
            print("redis benchmark failed: \(error)")
        }
    }

    private static func measure(_ options: Options) async throws(RedisError) {
        let configuration = try RedisConfiguration(url: options.url)
        print("redis benchmark: \(configuration.endpointDescription), \(options.requests) requests, concurrency \(options.concurrency)")

        let connection = try await RedisConnection.connect(configuration)
        let client = RedisClient(configuration: configuration, poolSize: options.pool)
        let script = RedisScript(name: "incrby", source: "return redis.call('INCRBY', KEYS[1], ARGV[1])")
        try await client.preload([script])
        try await connection.preload([script])
        let value = [UInt8](repeating: UInt8(ascii: "x"), count: 64)

        let cases: [(String, @Sendable (Int) -> RedisCommand)] = [
            ("PING", { _ in RedisCommand(["PING"]) }),
            ("SET 64 B", { index in RedisCommand(bytes: [Array("SET".utf8), Array("bench:key:\(index & 1023)".utf8), value]) }),
            ("GET", { index in RedisCommand(["GET", "bench:key:\(index & 1023)"]) }),
            ("EVALSHA", { _ in script.evalSHACommand(keys: ["bench:counter"], arguments: ["1"]) }),
        ]
        for (name, makeCommand) in cases {
            let before = connection.statistics
            let single = try await throughput(options) { index throws(RedisError) in
                _ = try await connection.send(makeCommand(index))
            }
            let after = connection.statistics
            let perRoundTrip = Double(after.commands - before.commands) / Double(max(1, after.roundTrips - before.roundTrips))
            let pooled = try await throughput(options) { index throws(RedisError) in
                _ = try await client.send(makeCommand(index))
            }
            print("  \(pad(name, 10)) one connection: \(pad(format(single), 9)) ops/s (\(format(perRoundTrip)) commands/round trip)   pool of \(options.pool): \(pad(format(pooled), 9)) ops/s")
        }
        var sequentialOptions = options
        sequentialOptions.requests = min(options.requests, 50_000)
        sequentialOptions.concurrency = 1
        let sequential = try await throughput(sequentialOptions) { _ throws(RedisError) in
            _ = try await connection.send(["PING"])
        }
        print("  PING, one caller at a time (a round trip each): \(format(sequential)) ops/s")
        _ = try await connection.send(["DEL", "bench:counter"])
        await connection.close()
        await client.close()
        compareWithRedisBenchmark(configuration, options)
    }

    /// Runs `redis-benchmark` (if installed) against the same server with `-P 1` and `-P 16` at the
    /// same client count, for reference.
    private static func compareWithRedisBenchmark(_ configuration: RedisConfiguration, _ options: Options) {
        guard configuration.unixSocketPath == nil, configuration.password == nil,
              let path = ["/usr/bin/redis-benchmark", "/usr/local/bin/redis-benchmark"].first(where: {
                  FileManager.default.isExecutableFile(atPath: $0)
              })
        else {
            print("  (redis-benchmark not run: not installed, or the server needs a password / unix socket)")
            return
        }
        for pipeline in [1, 16] {
            let process = Process()
            process.executableURL = URL(fileURLWithPath: path)
            process.arguments = [
                "-h", configuration.host, "-p", String(configuration.port), "-t", "ping,set,get",
                "-n", String(options.requests), "-c", String(options.concurrency), "-P", String(pipeline), "-q", "-d", "64",
            ]
            let output = Pipe()
            process.standardOutput = output
            process.standardError = FileHandle.nullDevice
            do {
                try process.run()
            } catch {
                print("  redis-benchmark failed to start: \(error)")
                return
            }
            let data = output.fileHandleForReading.readDataToEndOfFile()
            process.waitUntilExit()
            // With -q, progress is overwritten with \r; the final line per test says "… requests per second".
            let text = String(decoding: data, as: UTF8.self).replacingOccurrences(of: "\r", with: "\n")
            let results = text.split(separator: "\n").filter { $0.contains("requests per second") }
                .map { $0.trimmingCharacters(in: .whitespaces) }
            print("  redis-benchmark -c \(options.concurrency) -P \(pipeline): " + results.joined(separator: " | "))
        }
    }

    /// The best of `options.repeats` runs of ``once(_:_:)``.
    private static func throughput(
        _ options: Options,
        _ operation: @escaping @Sendable (Int) async throws(RedisError) -> Void
    ) async throws(RedisError) -> Double {
        var best = 0.0
        for _ in 0..<options.repeats {
            best = max(best, try await once(options, operation))
        }
        return best
    }

    /// Runs `options.requests` operations split over `options.concurrency` tasks; returns ops/s.
    private static func once(
        _ options: Options,
        _ operation: @escaping @Sendable (Int) async throws(RedisError) -> Void
    ) async throws(RedisError) -> Double {
        let perTask = max(1, options.requests / options.concurrency)
        let clock = ContinuousClock()
        let start = clock.now
        let failure: RedisError? = await withTaskGroup(of: RedisError?.self) { group in
            for task in 0..<options.concurrency {
                group.addTask {
                    do throws(RedisError) {
                        for index in 0..<perTask { try await operation(task &* perTask &+ index) }
                        return nil
                    } catch {
                        return error
                    }
                }
            }
            var first: RedisError?
            for await result in group where first == nil { first = result }
            return first
        }
        if let failure { throw failure }
        let elapsed = clock.now - start
        let seconds = Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18
        return Double(perTask * options.concurrency) / seconds
    }

    private static func format(_ value: Double) -> String {
        String(Int(value.rounded()))
    }

    private static func pad(_ text: String, _ width: Int) -> String {
        text.count >= width ? text : text + String(repeating: " ", count: width - text.count)
    }

    private static func environment(_ name: String) -> String? {
        ProcessInfo.processInfo.environment[name]
    }
}

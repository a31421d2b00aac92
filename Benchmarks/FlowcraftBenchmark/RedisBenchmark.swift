import FlowcraftRedis

/// `flowcraft-benchmark redis [--url URL] [--requests N] [--concurrency C] [--pool P]`
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
            default:
                print("unknown option \(arguments[index]); usage: redis [--url URL] [--requests N] [--concurrency C] [--pool P]")
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
            let single = try await throughput(options) { index throws(RedisError) in
                _ = try await connection.send(makeCommand(index))
            }
            let pooled = try await throughput(options) { index throws(RedisError) in
                _ = try await client.send(makeCommand(index))
            }
            print("  \(pad(name, 10)) one connection: \(pad(format(single), 9)) ops/s   pool of \(options.pool): \(pad(format(pooled), 9)) ops/s")
        }
        let sequential = try await throughput(Options(url: options.url, requests: min(options.requests, 50_000), concurrency: 1, pool: 1)) { _ throws(RedisError) in
            _ = try await connection.send(["PING"])
        }
        print("  PING, one caller at a time (a round trip each): \(format(sequential)) ops/s")
        _ = try await connection.send(["DEL", "bench:counter"])
        await connection.close()
        await client.close()
    }

    /// Runs `options.requests` operations split over `options.concurrency` tasks; returns ops/s.
    private static func throughput(
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
        guard let value = getenv(name) else { return nil }
        return String(cString: value)
    }
}

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

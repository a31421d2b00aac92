import ArgumentParser
import Flowcraft
import FlowcraftCompiler
import FlowcraftRedis
import Foundation

/// Options shared by the distributed-run commands (`start`, `status`, `resume`, `reconcile`, `worker`).
struct RedisConnectionOptions: ParsableArguments {
    @Option(help: "Redis URL: redis://[user:pass@]host:port/db, rediss://…?ca=FILE (TLS), redis+sentinel://host:port,…/MASTER[/db], redis+cluster://[user:pass@]host:port[,host:port…] (rediss+cluster:// for TLS) or unix:///path (percent-encode special characters in passwords).")
    var redis = "redis://127.0.0.1:6379"

    @Option(help: "Queue that carries the node jobs.")
    var queue = "flowcraft-queue"

    @Option(help: "Retry failing nodes inside the job ('in-process') or as BullMQ attempts ('queue').")
    var retryMode: DistributedRetryMode = .inProcess

    @Option(help: "Queue layout: 'single', or 'sharded:N' (or N) for N hash-tagged shard queues (1…1024, Redis Cluster). Default: the layout recorded for the queue in Redis (single when none is); a given one is recorded when none is and must match otherwise.")
    var layout: String?

    func validate() throws {
        do {
            _ = try layout.map(QueueLayout.init(parsing:))
        } catch {
            throw ValidationError("--layout: \(error)")
        }
    }

    /// The options with the queue's layout resolved against Redis (``QueueLayoutRecord``); `waitingForRedis` (a worker) waits while Redis
    /// cannot be reached instead of failing (a command that reads or starts runs fails at once). `stateTTLSeconds`: the
    /// `--state-ttl` of a command that may finish runs (``StateTTLOption``; the default otherwise, which such a command
    /// never applies). (A `ParsableArguments` value made outside parsing cannot be read: the TTL is passed as a number.)
    func options(
        client: RedisClient, stateTTLSeconds: Int = DistributedOptions.defaultStateTTLSeconds, waitingForRedis: Bool = false
    ) async throws -> DistributedOptions {
        var options = DistributedOptions(queueName: queue, stateTTLSeconds: stateTTLSeconds, retryMode: retryMode)
        options.layout = try layout.map(QueueLayout.init(parsing:))
        if waitingForRedis { return try await options.withRecordedLayoutWaitingForRedis(client: client) }
        return try await options.withRecordedLayout(client: client)
    }

    func client(poolSize: Int = 2) throws -> RedisClient {
        try RedisClient(url: redis, poolSize: poolSize)
    }
}

extension DistributedRetryMode: ExpressibleByArgument {}

/// Loads blueprints for the distributed commands; diagnostics go to stderr and errors exit 1.
enum DistributedCommandSupport {
    static func blueprints(at paths: [String]) throws -> [WorkflowBlueprint] {
        let result = BlueprintCompiler().compile(paths: paths)
        StandardStreams.error(DiagnosticRenderer.text(result.diagnostics.filter { $0.severity == .error }))
        if result.hasIOErrors { throw ExitCode(2) }
        if result.hasErrors { throw ExitCode(1) }
        return result.blueprints
    }

    static func catalog(at paths: [String]) throws -> BlueprintCatalog {
        do {
            return try BlueprintCatalog(blueprints(at: paths))
        } catch let exit as ExitCode {
            throw exit
        } catch {
            StandardStreams.error("error: \(error)\n")
            throw ExitCode(1)
        }
    }

    /// Parses a JSON argument, or `@file` to read it from a file.
    static func json(_ text: String, name: String) throws -> JSONValue {
        var data = Data(text.utf8)
        if text.hasPrefix("@") {
            guard let contents = FileManager.default.contents(atPath: String(text.dropFirst())) else {
                throw ValidationError("cannot read \(name) file '\(text.dropFirst())'")
            }
            data = contents
        }
        do {
            return try JSONDecoder().decode(JSONValue.self, from: data)
        } catch {
            throw ValidationError("\(name) is not valid JSON: \(error.localizedDescription)")
        }
    }

    static func jsonText(_ value: JSONValue) -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        guard let data = try? encoder.encode(value) else { return "null" }
        return String(decoding: data, as: UTF8.self)
    }
}

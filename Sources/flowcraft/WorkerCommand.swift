import ArgumentParser
import Flowcraft
import FlowcraftRedis
import Logging
import Dispatch
import Foundation
import ServiceLifecycle

/// `flowcraft worker --blueprints PATH --redis URL [--concurrency N] [--simulate --action … --fail … --dynamic …]`.
struct WorkerCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "worker",
        abstract: "Run a distributed worker that executes node jobs until SIGINT/SIGTERM.",
        discussion: """
            Built-in nodes run for real. With --simulate every other node returns its input (for rehearsals); \
            real applications build their worker from the generated registry instead. With --simulate, \
            --dynamic NODE=COUNT makes simulated node NODE return COUNT dynamic nodes NODE-d1…NODE-dCOUNT, each \
            run as its own job before NODE routes; each runs NODE's `uses`, simulated too, and returns its input \
            {"index": I, "count": COUNT, "spawnerOutput": <NODE's output>}, which lands at _outputs.NODE-dI \
            (--action and --fail apply to those ids as well). SIGINT/SIGTERM finish the jobs in progress and stop.
            """
    )

    @Option(name: .customLong("blueprints"), help: "Blueprint files or directories.")
    var blueprintPaths: [String]

    @Option(parsing: .unconditional, help: "Jobs processed at once (1…1024).")
    var concurrency = 16

    @Flag(help: "Simulate user nodes: each returns its input.")
    var simulate = false

    @Option(help: "NODE=ACTION: the action a simulated node returns (repeatable).")
    var action: [String] = []

    @Option(help: "NODE[=N]: the first N attempts of each execution of simulated node NODE throw (default: every attempt; repeatable).")
    var fail: [String] = []

    @Option(
        help: ArgumentHelp(
            "NODE=COUNT: simulated node NODE returns COUNT (1…\(SimulatedDynamicNodes.maximumCount)) dynamic nodes NODE-d1…NODE-dCOUNT (repeatable).",
            valueName: "node=count"))
    var dynamic: [String] = []

    @Option(parsing: .unconditional, help: "Milliseconds (0…3600000) each simulated node works before returning.")
    var workMs = 0

    @Option(parsing: .unconditional, help: "Job lock duration in milliseconds, 10…86400000 (a killed worker's jobs return after about this long).")
    var lockDuration = 30_000

    @Option(parsing: .unconditional, help: "Stalled-job check interval in milliseconds (10…86400000).")
    var stalledInterval = 30_000

    @Option(parsing: .upToNextOption, help: "In a sharded layout, the shards this worker serves (default: all), e.g. --shards 0 1 2.")
    var shards: [Int] = []

    @Option(help: "Worker name (written to each job's pb field).")
    var name: String?

    @Flag(help: "Print every event this worker emits as one JSON object per line on standard output.")
    var events = false

    @OptionGroup var connection: RedisConnectionOptions
    @OptionGroup var retention: StateTTLOption

    @OptionGroup(title: "Job retention and stalled jobs") var production: WorkerProductionOptions

    func validate() throws {
        try OptionBounds.check(concurrency, in: OptionBounds.concurrency, option: "--concurrency")
        try OptionBounds.check(workMs, in: OptionBounds.workMilliseconds, option: "--work-ms", unit: "milliseconds")
        try OptionBounds.check(
            lockDuration, in: OptionBounds.lockDurationMilliseconds, option: "--lock-duration", unit: "milliseconds")
        try OptionBounds.check(
            stalledInterval, in: OptionBounds.stalledIntervalMilliseconds, option: "--stalled-interval", unit: "milliseconds")
    }

    func run() async throws {
        try production.validate(lockDuration: lockDuration)
        let blueprints = try DistributedCommandSupport.blueprints(at: blueprintPaths)
        let catalog: BlueprintCatalog
        do {
            catalog = try BlueprintCatalog(blueprints)
        } catch {
            StandardStreams.error("error: \(error)\n")
            throw ExitCode(1)
        }
        var registry = NodeRegistry()
        if simulate {
            let actionMap = try NodeSimulation.pairs(action, option: "--action")
            let failMap = try NodeSimulation.failures(fail)
            try NodeSimulation.checkNodeNames(actionMap.keys, option: "--action", in: blueprints)
            try NodeSimulation.checkNodeNames(failMap.keys, option: "--fail", in: blueprints)
            let simulation = NodeSimulation(
                actions: NodeSimulation.actions(given: actionMap, for: blueprints), failures: failMap,
                dynamicNodes: try SimulatedDynamicNodes.parse(dynamic, blueprints: blueprints), workMilliseconds: workMs)
            registry = simulation.registry(for: blueprints)
        } else {
            guard dynamic.isEmpty else { throw ValidationError("--dynamic needs --simulate") }
            StandardStreams.error("flowcraft worker: no --simulate: only built-in nodes can run (applications build their worker from the generated registry)\n")
        }
        var logger = Logger(label: "flowcraft.worker")
        logger.logLevel = .info
        let client = try connection.client(poolSize: 2)
        var options: DistributedOptions
        do {
            // A worker started while Redis is down or failing over waits for it (logged), as a running one does.
            options = try await connection.options(client: client, stateTTLSeconds: retention.stateTtl, waitingForRedis: true)
        } catch {
            await client.close()
            StandardStreams.error("error: \(error)\n")
            throw ExitCode(1)
        }
        options.logger = logger
        let printer = events ? EventLinePrinter() : nil
        if let printer { options.eventHandler = { printer.print($0) } }
        var workerOptions = WorkerOptions(
            concurrency: concurrency, lockDuration: lockDuration, stalledInterval: stalledInterval, name: name)
        production.apply(to: &options, worker: &workerOptions)
        let worker = try DistributedWorker(
            catalog: catalog, registry: registry, client: client, options: options, workerOptions: workerOptions,
            shards: shards.isEmpty ? nil : shards)
        let group = ServiceGroup(
            configuration: ServiceGroupConfiguration(
                services: [.init(service: worker)], gracefulShutdownSignals: [.sigterm, .sigint], logger: logger))
        let served = options.shards.layout == .single ? "" : ", layout \(options.shards.layout), shards \(worker.servedShards.map(String.init).joined(separator: ","))"
        StandardStreams.error("flowcraft worker: serving queue '\(connection.queue)' (\(catalog.ids.count) blueprints\(served))\n")
        do {
            try await group.run()
        } catch {
            await client.close()
            printer?.flush()
            StandardStreams.error("error: \(error)\n")
            throw ExitCode(1)
        }
        await client.close()
        printer?.flush()
    }
}

/// Writes events as JSON lines on a serial dispatch queue, so a slow reader of standard output never
/// blocks the worker's tasks.
final class EventLinePrinter: Sendable {
    private let queue = DispatchQueue(label: "flowcraft.worker.events")

    func print(_ event: WorkflowEvent) {
        let line = JSONText.serialize(event.jsonValue) + "\n"
        queue.async { FileHandle.standardOutput.write(Data(line.utf8)) }
    }

    /// Waits until every line printed so far is written (the worker has stopped: no tasks to block).
    func flush() {
        queue.sync {}
    }
}

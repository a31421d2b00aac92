import ArgumentParser
import Flowcraft
import FlowcraftRedis

/// `flowcraft reconcile --blueprints PATH --redis URL [--stalled-threshold S]`.
struct ReconcileCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "reconcile",
        abstract: "Re-enqueue the lost work of distributed runs idle longer than a threshold.",
        discussion: "Prints {scannedKeys, stalledRuns, reconciledRuns, failedRuns} as JSON. Run it periodically."
    )

    @Option(name: .customLong("blueprints"), help: "Blueprint files or directories.")
    var blueprintPaths: [String]

    @Option(parsing: .unconditional, help: "Seconds (0…31536000) without progress after which a run counts as stalled.")
    var stalledThreshold: Double = 300

    @OptionGroup var connection: RedisConnectionOptions
    @OptionGroup var retention: StateTTLOption

    func validate() throws {
        try OptionBounds.check(
            stalledThreshold, in: OptionBounds.stalledThresholdSeconds, option: "--stalled-threshold", unit: "seconds")
    }

    func run() async throws {
        let catalog = try DistributedCommandSupport.catalog(at: blueprintPaths)
        let client = try connection.client(poolSize: 1)
        do {
            let reconciler = WorkflowReconciler(
                client: client, catalog: catalog, options: try await connection.options(client: client, stateTTLSeconds: retention.stateTtl),
                stalledThresholdSeconds: stalledThreshold)
            let stats = try await reconciler.run()
            await client.close()
            let json: JSONValue = [
                "scannedKeys": .int(stats.scannedKeys), "stalledRuns": .int(stats.stalledRuns),
                "reconciledRuns": .int(stats.reconciledRuns), "failedRuns": .int(stats.failedRuns),
            ]
            StandardStreams.output(DistributedCommandSupport.jsonText(json) + "\n")
        } catch {
            await client.close()
            StandardStreams.error("error: \(error)\n")
            throw ExitCode(1)
        }
    }
}

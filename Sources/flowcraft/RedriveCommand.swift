import ArgumentParser
import Flowcraft
import FlowcraftRedis

/// `flowcraft redrive RUNID --blueprints PATH --redis URL`: a failed distributed run continues from
/// the node that failed.
struct RedriveCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "redrive",
        abstract: "Redrive a failed distributed run: the failed node runs again, succeeded nodes keep their outputs.",
        discussion: """
            The work the failure interrupted runs again too, and the work the failed node blocked runs when it \
            completes. Refused (exit 1, nothing changed) for a run that is not failed or was already redriven, \
            one that failed on routing ([NO_ROUTE], [STUCK_JOIN]), and when the run's blueprint version is not \
            among --blueprints. Exit status: 0 redriven, 1 refused or error, 4 unknown run.
            """
    )

    @Argument(help: "The run id.")
    var runID: String

    @Option(name: .customLong("blueprints"), help: "Blueprint files or directories (the run's blueprint and version). Required.")
    var blueprintPaths: [String] = []

    @OptionGroup var connection: RedisConnectionOptions
    @OptionGroup var refusedStateTTL: RefusedStateTTLOption

    @OptionGroup var historyFile: RefusedHistoryFileOption

    func validate() throws {
        try historyFile.refuse(because: "an in-memory run is redriven by the app that ran it (its nodes live there): FlowRuntime.redrive(result); this command redrives distributed runs (--redis)")
        if blueprintPaths.isEmpty { throw ValidationError("Missing expected argument '--blueprints <blueprints> ...'") }
    }

    func run() async throws {
        let catalog = try DistributedCommandSupport.catalog(at: blueprintPaths)
        let client = try connection.client(poolSize: 1)
        do {
            let workflows = WorkflowClient(client: client, catalog: catalog, options: try await connection.options(client: client))
            let count = try await workflows.redrive(runID)
            await client.close()
            StandardStreams.output("redriven run '\(runID)' (redrive \(count))\n")
        } catch let error as DistributedError where error.cause == .unknownRun {
            await client.close()
            StandardStreams.error("error: \(error)\n")
            throw ExitCode(4)
        } catch {
            await client.close()
            StandardStreams.error("error: \(error)\n")
            throw ExitCode(1)
        }
    }
}

import ArgumentParser
import Flowcraft
import FlowcraftRedis

/// `flowcraft cancel RUNID [--reason TEXT] [--blueprints PATH] --redis URL`: cancels a distributed run.
struct CancelCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "cancel",
        abstract: "Cancel a running or paused distributed run: it ends 'cancelled'; its queued jobs finish without running.",
        discussion: """
            The child runs of its pending subflow nodes are cancelled too (found by their ids; --blueprints only narrows the lookup to the subflow nodes). A sharded queue's run \
            is named by its full id or its base id. Exit status: 0 cancelled, 1 already ended or error, 4 unknown run.
            """
    )

    @Argument(help: "The run id.")
    var runID: String

    @Option(help: "The reason recorded with the cancellation.")
    var reason = "cancelled"

    @Option(name: .customLong("blueprints"), help: "Blueprint files or directories (narrows the child-run lookup to subflow nodes).")
    var blueprintPaths: [String] = []

    @OptionGroup var connection: RedisConnectionOptions
    @OptionGroup var retention: StateTTLOption
    @OptionGroup var historyFile: RefusedHistoryFileOption

    func validate() throws {
        try historyFile.refuse(because: "an in-memory run is cancelled by the app that runs it (cancel its task); this command cancels distributed runs (--redis)")
    }

    func run() async throws {
        let catalog = blueprintPaths.isEmpty ? BlueprintCatalog() : try DistributedCommandSupport.catalog(at: blueprintPaths)
        let client = try connection.client(poolSize: 1)
        let outcome: Int32
        do {
            let workflows = WorkflowClient(client: client, catalog: catalog, options: try await connection.options(client: client, stateTTLSeconds: retention.stateTtl))
            switch try await workflows.status(runID)?.status {
            case nil:
                StandardStreams.error("error: unknown run '\(runID)'\n")
                outcome = 4
            case .running?, .awaiting?:
                try await workflows.cancel(runID, reason: reason)
                StandardStreams.output("cancelled run '\(try workflows.storedRunID(runID))'\n")
                outcome = 0
            case let ended?:
                StandardStreams.error("error: run '\(runID)' has already ended (\(ended.rawValue)); nothing cancelled\n")
                outcome = 1
            }
        } catch {
            await client.close()
            StandardStreams.error("error: \(error)\n")
            throw ExitCode(1)
        }
        await client.close()
        if outcome != 0 { throw ExitCode(outcome) }
    }
}

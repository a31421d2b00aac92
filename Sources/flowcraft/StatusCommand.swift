import ArgumentParser
import Flowcraft
import FlowcraftRedis

/// `flowcraft status RUNID --redis URL [--wait SECONDS]`: prints a run's status JSON.
struct StatusCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "status",
        abstract: "Print a distributed run's status as JSON ({status, payload?, reason?}).",
        discussion: """
            Exit status: 0 completed (or still running without --wait), 1 failed or cancelled, 3 timed out waiting, \
            4 unknown run (at once, even with --wait). A paused run lists the nodes it waits on ("waitingOn"); \
            with --blueprints, each wait node's routed actions too.
            """
    )

    @Argument(help: "The run id.")
    var runID: String

    @Option(parsing: .unconditional, help: "Wait up to this many seconds (0…86400) for the run to finish (or pause on a wait node).")
    var wait: Double?

    @Option(name: .customLong("blueprints"), help: "Blueprint files or directories: a paused run's wait nodes list the actions they route.")
    var blueprintPaths: [String] = []

    @OptionGroup var connection: RedisConnectionOptions

    @OptionGroup var historyFile: RefusedHistoryFileOption

    func validate() throws {
        try historyFile.refuse(because: "status reads a distributed run's live state; for a run recorded in a history file use 'flowcraft inspect RUN --db FILE' (its status, pauses and the nodes a paused run waits on)")
        if let wait { try OptionBounds.check(wait, in: OptionBounds.waitSeconds, option: "--wait", unit: "seconds") }
    }

    func run() async throws {
        let catalog = blueprintPaths.isEmpty ? BlueprintCatalog() : try DistributedCommandSupport.catalog(at: blueprintPaths)
        let client = try connection.client(poolSize: 1)
        let workflows = WorkflowClient(client: client, catalog: catalog, options: try await connection.options(client: client))
        let status: DistributedRunStatus?
        do {
            // A run that does not exist is reported at once (exit 4), never waited for.
            let current = try await workflows.status(runID)
            if let wait, let current, current.status == .running {
                status = try await workflows.result(runID, timeout: .milliseconds(Int(wait * 1000)))
            } else {
                status = current
            }
        } catch let error as DistributedError {
            await client.close()
            StandardStreams.error("error: \(error)\n")
            throw ExitCode(3)
        } catch {
            await client.close()
            StandardStreams.error("error: \(error)\n")
            throw ExitCode(1)
        }
        await client.close()
        guard let status else {
            StandardStreams.error("error: unknown run '\(runID)'\n")
            throw ExitCode(4)
        }
        StandardStreams.output(DistributedCommandSupport.jsonText(status.json) + "\n")
        if status.status == .failed || status.status == .cancelled { throw ExitCode(1) }
    }
}

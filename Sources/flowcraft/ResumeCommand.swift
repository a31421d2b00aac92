import ArgumentParser
import Flowcraft
import FlowcraftRedis

/// `flowcraft resume RUNID --action A [--output JSON] --blueprints PATH --redis URL`.
struct ResumeCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "resume",
        abstract: "Resume a distributed run paused on a wait node; the action routes."
    )

    @Argument(help: "The run id.")
    var runID: String

    @Option(help: "The action the wait node completes with.")
    var action: String?

    @Option(help: "The wait node's output as JSON, or @file.")
    var output: String?

    @Option(help: "The wait node to resume (default: the first awaiting one).")
    var node: String?

    @Option(name: .customLong("blueprints"), help: "Blueprint files or directories.")
    var blueprintPaths: [String] = []

    @OptionGroup var connection: RedisConnectionOptions
    @OptionGroup var retention: StateTTLOption
    @OptionGroup var historyFile: RefusedHistoryFileOption

    func validate() throws {
        try historyFile.refuse(because: "an in-memory run is resumed by the app that ran it (FlowRuntime.resume(result, …)), or by 'flowcraft run' answering its waits with --action; this command resumes distributed runs (--redis)")
        if blueprintPaths.isEmpty { throw ValidationError("Missing expected argument '--blueprints <blueprints> ...'") }
    }

    func run() async throws {
        let catalog = try DistributedCommandSupport.catalog(at: blueprintPaths)
        let value = try output.map { try DistributedCommandSupport.json($0, name: "--output") } ?? .null
        let client = try connection.client(poolSize: 1)
        do {
            let workflows = WorkflowClient(client: client, catalog: catalog, options: try await connection.options(client: client, stateTTLSeconds: retention.stateTtl))
            // An unknown run exits 4, as for status, cancel and redrive.
            guard try await workflows.status(runID) != nil else { throw ExitCode(4) }
            try await workflows.resume(runID, nodeID: node, action: action, output: value)
            await client.close()
        } catch let exit as ExitCode {
            await client.close()
            StandardStreams.error("error: unknown run '\(runID)'\n")
            throw exit
        } catch {
            await client.close()
            StandardStreams.error("error: \(error)\n")
            throw ExitCode(1)
        }
    }
}

import ArgumentParser
import Flowcraft
import FlowcraftRedis

/// `flowcraft start ID --blueprints PATH --redis URL [--context JSON]`: starts a distributed run.
struct StartCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "start",
        abstract: "Start a distributed run of a blueprint and print its run id.",
        discussion: "Workers (`flowcraft worker`) serving the same Redis and queue execute it."
    )

    @Argument(help: "The blueprint id.")
    var blueprintID: String

    @Option(name: .customLong("blueprints"), help: "Blueprint files or directories.")
    var blueprintPaths: [String]

    @Option(help: "Initial context as a JSON object, or @file.")
    var context: String?

    @Option(help: "Use this run id instead of a random one (1-1024 UTF-8 bytes, no control characters, no '/').")
    var runId: String?

    @OptionGroup var connection: RedisConnectionOptions
    @OptionGroup var refusedStateTTL: RefusedStateTTLOption

    func validate() throws {
        // The rules the workers apply (refused here before anything is written).
        if let runId, let problem = RunIdentifier.problemStarting(runId) { throw ValidationError("--run-id: \(problem)") }
    }

    func run() async throws {
        let catalog = try DistributedCommandSupport.catalog(at: blueprintPaths)
        var initial: [String: JSONValue] = [:]
        if let context {
            guard case .object(let members) = try DistributedCommandSupport.json(context, name: "--context") else {
                throw ValidationError("--context must be a JSON object")
            }
            initial = members
        }
        let client = try connection.client(poolSize: 1)
        do {
            let workflows = WorkflowClient(client: client, catalog: catalog, options: try await connection.options(client: client))
            let runID = try await workflows.startWorkflow(blueprintID: blueprintID, context: initial, runID: runId)
            StandardStreams.output(runID + "\n")
            await client.close()
        } catch {
            await client.close()
            StandardStreams.error("error: \(error)\n")
            throw ExitCode(1)
        }
    }
}

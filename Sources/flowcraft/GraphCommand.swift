import ArgumentParser
import FlowcraftCompiler

/// `flowcraft graph PATH --format mermaid|dot`: draws one blueprint.
struct GraphCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "graph",
        abstract: "Draw a blueprint as a Mermaid flowchart or a Graphviz digraph."
    )

    enum Format: String, ExpressibleByArgument, CaseIterable {
        case mermaid, dot

        var graphFormat: GraphFormat {
            switch self {
            case .mermaid: return .mermaid
            case .dot: return .dot
            }
        }
    }

    @Argument(help: "A blueprint file, or a directory of blueprints.")
    var path: String

    @Option(help: "The blueprint id to draw (required when PATH holds several).")
    var blueprint: String?

    @Option(help: "Output format: mermaid or dot.")
    var format: Format = .mermaid

    func run() throws {
        let result = BlueprintCompiler().compile(paths: [path])
        StandardStreams.error(DiagnosticRenderer.text(result.diagnostics))
        if result.hasIOErrors { throw ExitCode(2) }
        let chosen: WorkflowBlueprintSelection = select(from: result)
        switch chosen {
        case .none(let message):
            StandardStreams.error("error: \(message)\n")
            throw ExitCode(result.hasErrors ? 1 : 2)
        case .one(let index):
            StandardStreams.output(GraphRenderer.render(result.blueprints[index], as: format.graphFormat))
        }
        if result.hasErrors { throw ExitCode(1) }
    }

    private enum WorkflowBlueprintSelection {
        case one(Int)
        case none(String)
    }

    private func select(from result: CompilationResult) -> WorkflowBlueprintSelection {
        let ids = result.blueprints.map(\.id)
        if let wanted = blueprint {
            if let index = ids.firstIndex(of: wanted) { return .one(index) }
            return .none("no blueprint '\(wanted)' in \(path)\(DidYouMean.hint(for: wanted, among: ids))")
        }
        switch ids.count {
        case 0: return .none("no blueprint to draw in \(path)")
        case 1: return .one(0)
        default: return .none("\(path) holds several blueprints (\(ids.joined(separator: ", "))); choose one with --blueprint")
        }
    }
}

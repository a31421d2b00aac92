import ArgumentParser
import Flowcraft
import FlowcraftCompiler

/// `flowcraft graph PATH --format mermaid|dot`: draws one blueprint; with `--run RUN` (the blueprints
/// from PATH or `--blueprints`) the run's node states and taken edges are drawn over it.
struct GraphCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "graph",
        abstract: "Draw a blueprint as a Mermaid flowchart or a Graphviz digraph (with --run: a recorded run on it).",
        discussion: """
            With --run, each node shows its state in the run (completed, failed, skipped, running, waiting, \
            not-reached; coloured) and the taken edges are drawn thick and green; the run's blueprint is looked up \
            by id (and version) in PATH or --blueprints. Exit status 4 for an unknown run.
            """
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
    var path: String?

    @Option(help: "The blueprint id to draw (required when PATH holds several).")
    var blueprint: String?

    @Option(help: "Output format: mermaid or dot.")
    var format: Format = .mermaid

    @Option(name: .customLong("run"), help: "Draw this recorded run's node states and taken edges.")
    var runID: String?

    @Option(help: "Where the run's blueprint is (a file or directory; PATH works too).")
    var blueprints: String?

    @OptionGroup var source: HistorySourceOptions

    func validate() throws {
        if path == nil && blueprints == nil {
            throw ValidationError(runID == nil ? "missing PATH (a blueprint file or directory)" : "--run needs the blueprints: PATH or --blueprints DIR")
        }
        if path != nil && blueprints != nil { throw ValidationError("give the blueprints once: PATH or --blueprints") }
        // Options that would otherwise be ignored without a word.
        if runID == nil && source.isGiven { throw ValidationError("--db and --redis read a recorded run: add --run RUN") }
        if runID == nil && blueprints != nil { throw ValidationError("--blueprints goes with --run; without it, give PATH") }
    }

    func run() async throws {
        if let runID {
            try await drawRun(runID)
        } else {
            try draw()
        }
    }

    private func drawRun(_ runID: String) async throws {
        let location = path ?? blueprints ?? ""
        let result = try BlueprintFileSet.loading(location, errorsOnly: true).result
        try await HistoryCommandError.reporting {
            let (summary, events) = try await source.withReader { reader -> (RunSummary, [RunHistoryEvent]) in
                guard let summary = try await reader.run(runID) else { throw HistoryCommandError.unknownRun(runID) }
                return (summary, try await reader.events(of: runID))
            }
            // The run's own blueprint is drawn: a --blueprint naming another is a mistake, not ignored.
            if let blueprint, blueprint != summary.blueprintID {
                throw HistoryCommandError(
                    "run '\(runID)' ran blueprint '\(summary.blueprintID)', not '\(blueprint)' (--blueprint)")
            }
            let candidates = result.blueprints.filter { $0.id == summary.blueprintID }
            guard let chosen = candidates.first(where: { $0.effectiveVersion == summary.blueprintVersion })
                ?? (summary.blueprintVersion == nil && candidates.count == 1 ? candidates.first : nil)
            else {
                let version = summary.blueprintVersion.map { " version '\($0)'" } ?? ""
                throw HistoryCommandError(
                    "run '\(runID)' ran blueprint '\(summary.blueprintID)'\(version), which \(location) does not hold")
            }
            let plan: CompiledBlueprint
            do {
                plan = try CompiledBlueprint(chosen)
            } catch {
                throw HistoryCommandError("blueprint '\(chosen.id)': \(error)")
            }
            let states = RunGraphStates(plan: plan, summary: summary, events: events)
            let overlay = GraphOverlay(
                nodeStates: states.nodes.mapValues(\.rawValue),
                takenEdges: Set(states.takenEdges.map { e in
                    GraphOverlay.Edge(
                        source: plan.nodes[plan.edges[e].source].id, target: plan.nodes[plan.edges[e].target].id,
                        action: plan.edges[e].action)
                }))
            StandardStreams.output(GraphRenderer.render(plan.blueprint, as: format.graphFormat, overlay: overlay))
        }
    }

    /// Draws a blueprint of PATH (a file is read with its directory: subflows in sibling files
    /// resolve; only the file's own diagnostics are shown).
    private func draw() throws {
        let path = self.path ?? ""
        let files = try BlueprintFileSet.loading(path)
        let own = files.own.map(\.blueprint)
        switch select(from: own) {
        case .none(let message):
            StandardStreams.error("error: \(message)\n")
            throw ExitCode(files.hasErrors ? 1 : 2)
        case .one(let index):
            StandardStreams.output(GraphRenderer.render(own[index], as: format.graphFormat))
        }
        if files.hasErrors { throw ExitCode(1) }
    }

    private enum WorkflowBlueprintSelection {
        case one(Int)
        case none(String)
    }

    private func select(from blueprints: [WorkflowBlueprint]) -> WorkflowBlueprintSelection {
        let path = self.path ?? ""
        let ids = blueprints.map(\.id)
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

import ArgumentParser
import Flowcraft
import FlowcraftCompiler
import Foundation

/// `flowcraft inspect PATH [--json]`: the graph facts of each blueprint; `flowcraft inspect RUN
/// [--redis URL] [--json]`: a recorded run (``RunInspection``).
struct InspectCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "inspect",
        abstract: "Show a blueprint's graph facts (PATH), or a recorded run: its summary, node timeline, pauses, final context and child runs (RUN).",
        discussion: """
            The argument is a run id when --redis is given, or when it names no file and does not look like one             (no '/', no .yaml/.yml/.json ending). For a run, exit status: 0, 1 on an error, 4 for an unknown run.
            """
    )

    @Argument(help: "A blueprint file or directory, or a run id.")
    var path: String

    @Flag(help: "Print JSON instead of text.")
    var json = false

    @OptionGroup var source: HistorySourceOptions

    /// Whether the argument names a run rather than blueprint files.
    var inspectsRun: Bool {
        if source.isGiven { return true }
        if FileManager.default.fileExists(atPath: path) { return false }
        let lower = path.lowercased()
        return !path.contains("/") && ![".yaml", ".yml", ".json"].contains { lower.hasSuffix($0) }
    }

    func run() async throws {
        if inspectsRun {
            try await inspectRun()
        } else {
            try inspectBlueprints()
        }
    }

    private func inspectRun() async throws {
        try await HistoryCommandError.reporting {
            let inspection = try await source.withReader { try await RunInspection.load(path, from: $0) }
            guard let inspection else { throw HistoryCommandError.unknownRun(path) }
            StandardStreams.output(json ? try HistoryFormatting.json(inspection) : try RunInspectionText.render(inspection))
        }
    }

    /// The graph facts of PATH's blueprints (a file is read with its directory: subflows in sibling
    /// files resolve; only the file's own blueprints and diagnostics are shown).
    private func inspectBlueprints() throws {
        let files = try BlueprintFileSet.loading(path)
        let analyses = files.own.map(\.analysis)
        if json {
            let encoder = JSONEncoder()
            encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
            let data = try encoder.encode(analyses)
            StandardStreams.output(String(decoding: data, as: UTF8.self) + "\n")
        } else {
            StandardStreams.output(analyses.map(AnalysisText.render).joined(separator: "\n"))
        }
        if files.hasErrors { throw ExitCode(1) }
    }
}

/// The human-readable form of `flowcraft inspect`.
enum AnalysisText {
    static func render(_ a: BlueprintAnalysis) -> String {
        var out = "\(a.blueprintID)\n"
        out += "  nodes: \(a.nodeCount), edges: \(a.edgeCount)\n"
        out += "  start: \(list(a.startNodes))\n"
        out += "  terminal: \(list(a.terminalNodes))\n"
        if a.cycles.isEmpty {
            out += "  cycles: none\n"
        } else {
            out += "  cycles:\n"
            for cycle in a.cycles { out += "    - \(list(cycle))\n" }
        }
        if a.joins.isEmpty {
            out += "  joins: none\n"
        } else {
            out += "  joins:\n"
            for join in a.joins {
                out += "    - \(join.node) (\(join.strategy.rawValue)) ← \(list(join.predecessors))\n"
            }
        }
        for join in a.exclusiveJoins {
            let branches = join.branches.map { "\($0.action ?? "default") → \($0.predecessor)" }
            out += "  exclusive join: \(join.join) behind \(join.router) (\(branches.joined(separator: "; ")))\n"
        }
        if !a.unreachableNodes.isEmpty { out += "  unreachable: \(list(a.unreachableNodes))\n" }
        out += "  levels:\n"
        for (i, level) in a.levels.enumerated() { out += "    \(i): \(list(level))\n" }
        return out
    }

    private static func list(_ ids: [String]) -> String { ids.isEmpty ? "none" : ids.joined(separator: ", ") }
}

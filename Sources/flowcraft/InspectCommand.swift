import ArgumentParser
import FlowcraftCompiler
import Foundation

/// `flowcraft inspect PATH [--json]`: the graph facts of each blueprint.
struct InspectCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "inspect",
        abstract: "Show each blueprint's start and terminal nodes, cycles, joins, levels and counts."
    )

    @Argument(help: "A blueprint file, or a directory of blueprints.")
    var path: String

    @Flag(help: "Print JSON (one array of analyses) instead of text.")
    var json = false

    func run() throws {
        let result = BlueprintCompiler().compile(paths: [path])
        StandardStreams.error(DiagnosticRenderer.text(result.diagnostics))
        if result.hasIOErrors { throw ExitCode(2) }
        if json {
            let encoder = JSONEncoder()
            encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
            let data = try encoder.encode(result.analyses)
            StandardStreams.output(String(decoding: data, as: UTF8.self) + "\n")
        } else {
            StandardStreams.output(result.analyses.map(AnalysisText.render).joined(separator: "\n"))
        }
        if result.hasErrors { throw ExitCode(1) }
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

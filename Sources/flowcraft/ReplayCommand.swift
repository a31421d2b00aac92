import ArgumentParser
import Flowcraft
import Foundation

/// `flowcraft replay RUN [--until N] [--json]`: a run's context rebuilt from its history.
struct ReplayCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "replay",
        abstract: "Rebuild a run's context from its history up to event N, without running any node.",
        discussion: "Exit status: 0, 1 on an error, 4 for an unknown run."
    )

    @Argument(help: "The run id.")
    var runID: String

    @Option(parsing: .unconditional, help: "The last event to apply (1 or more; default: every event). `inspect` shows the numbers.")
    var until: Int?

    @Flag(help: "Print JSON ({context, untilSequence, lastSequence, appliedNodes, complete}).")
    var json = false

    @OptionGroup var source: HistorySourceOptions

    func validate() throws {
        if let until { try OptionBounds.check(until, in: 1...Int(Int32.max), option: "--until") }
    }

    func run() async throws {
        try await HistoryCommandError.reporting {
            let events = try await source.withReader { reader -> [RunHistoryEvent] in
                guard try await reader.run(runID) != nil else { throw HistoryCommandError.unknownRun(runID) }
                return try await reader.events(of: runID)
            }
            let replay: RunReplay
            do {
                replay = try RunReplay(events: events, until: until)
            } catch {
                throw HistoryCommandError("run '\(runID)': \(error)")
            }
            if json {
                StandardStreams.output(try HistoryFormatting.json(replay))
                return
            }
            var out = "run \(runID): context after event \(replay.untilSequence) of \(replay.lastSequence)"
            out += replay.complete ? "\n" : " (incomplete: the run's oldest events were dropped by the history cap)\n"
            out += "nodes applied: \(replay.appliedNodes.isEmpty ? "none" : replay.appliedNodes.joined(separator: ", "))\n"
            out += try HistoryFormatting.json(replay.context)
            StandardStreams.output(out)
        }
    }
}

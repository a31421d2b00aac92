import ArgumentParser
import Flowcraft
import Foundation

/// `flowcraft runs [--status S] [--blueprint ID] [--since 1h] [--limit N] [--cursor C] [--json]`.
struct RunsCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "runs",
        abstract: "List recorded runs, newest first (run id, blueprint, status, started, duration, failed node).",
        discussion: "The next page's cursor is printed last (text) or as nextCursor (JSON); pass it to --cursor."
    )

    @Option(help: "Only runs with this status: \(RunHistoryStatus.allCases.map(\.rawValue).joined(separator: ", ")).")
    var status: String?

    @Option(help: "Only runs of this blueprint id.")
    var blueprint: String?

    // `.unconditional`: a value starting with '-' (a mistake such as -1h) reaches the check below
    // instead of being taken for an option ("Missing value for '--since'").
    @Option(parsing: .unconditional, help: "Only runs started within this span before now: 90s, 30m, 1h, 2d, 1w.")
    var since: String?

    @Option(parsing: .unconditional, help: "Runs per page (1…1000).")
    var limit = 50

    @Option(parsing: .unconditional, help: "Continue after a previous page (its printed cursor).")
    var cursor: String?

    @Flag(help: "Print JSON ({runs, nextCursor}).")
    var json = false

    @OptionGroup var source: HistorySourceOptions

    func validate() throws {
        try OptionBounds.check(limit, in: 1...1_000, option: "--limit")
        if let status, RunHistoryStatus(rawValue: status) == nil {
            throw ValidationError(
                "--status must be one of \(RunHistoryStatus.allCases.map(\.rawValue).joined(separator: ", ")), got '\(status)'")
        }
        if blueprint?.isEmpty == true { throw ValidationError("--blueprint needs a blueprint id (got an empty one)") }
        if let since, HistoryFormatting.sinceMilliseconds(since) == nil {
            throw ValidationError(
                "--since must be a positive count and a unit s, m, h, d or w (e.g. 1h), 520 weeks at most, got '\(since)'")
        }
    }

    func run() async throws {
        let now = Int64(Date().timeIntervalSince1970 * 1000)
        let query = RunQuery(
            status: status.flatMap(RunHistoryStatus.init), blueprintID: blueprint,
            since: since.flatMap(HistoryFormatting.sinceMilliseconds).map { now - $0 }, limit: limit, cursor: cursor)
        try await HistoryCommandError.reporting {
            let page: RunPage
            do {
                page = try await source.withReader { try await $0.runs(query) }
            } catch let refused as RunQueryError {
                // A usage error: the value given, not the history, is at fault.
                StandardStreams.error("error: --\(refused.parameter): \(refused.message)\n")
                throw ExitCode(2)
            }
            if json {
                StandardStreams.output(try HistoryFormatting.json(RunsPage(runs: page.runs, nextCursor: page.nextCursor)))
                return
            }
            var rows = [["RUN", "BLUEPRINT", "STATUS", "STARTED", "DURATION", "FAILED NODE"]]
            for run in page.runs {
                rows.append([
                    run.runID, run.blueprintID + (run.blueprintVersion.map { "@\($0)" } ?? ""), run.status.rawValue,
                    HistoryFormatting.timestamp(run.startedAt), HistoryFormatting.duration(run.durationMs),
                    run.failedNodeID ?? "",
                ])
            }
            StandardStreams.output(page.runs.isEmpty ? "no runs\n" : HistoryFormatting.table(rows))
            if page.runs.isEmpty, let blueprint, blueprint.contains("@") {
                // The table shows `id@version`; the filter takes the id.
                StandardStreams.error("note: --blueprint takes a blueprint id; '\(blueprint)' looks like the table's id@version\n")
            }
            if let next = page.nextCursor { StandardStreams.output("next page: --cursor '\(next)'\n") }
        }
    }

    /// The JSON form of a page.
    struct RunsPage: Encodable {
        var runs: [RunSummary]
        var nextCursor: String?
    }

}

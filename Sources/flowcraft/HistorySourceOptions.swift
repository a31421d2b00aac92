import ArgumentParser
import Flowcraft
import FlowcraftRedis
import FlowcraftSQLite
import Foundation

/// Where `runs`, `inspect RUN`, `graph --run` and `replay` read run history from: the distributed
/// engine's Redis (`--redis URL`, `--queue`) or the in-memory engine's SQLite file (`--db FILE`).
struct HistorySourceOptions: ParsableArguments {
    @Option(help: "Read the history of the distributed engine at this Redis URL (default redis://127.0.0.1:6379; redis+cluster://host:port,… for a cluster).")
    var redis: String?

    @Option(help: "The queue whose runs to read (with --redis).")
    var queue = "flowcraft-queue"

    @Option(help: "Read the history the in-memory engine recorded in this SQLite file (FlowcraftSQLite).")
    var db: String?

    /// A history source.
    enum Source {
        case redis(url: String, queue: String)
        case sqlite(path: String)
    }

    /// Whether a source was named on the command line.
    var isGiven: Bool { redis != nil || db != nil }

    var source: Source {
        if let db { return .sqlite(path: db) }
        return .redis(url: redis ?? "redis://127.0.0.1:6379", queue: queue)
    }

    func validate() throws {
        if redis != nil && db != nil { throw ValidationError("give either --redis or --db, not both") }
    }

    /// Opens the source; `body` reads it, and the connection is closed after.
    func withReader<T>(_ body: (any RunHistoryReader) async throws -> T) async throws -> T {
        switch source {
        case .redis(let url, let queue):
            let client: RedisClient
            do {
                client = try RedisClient(url: url, poolSize: 1)
            } catch {
                throw HistoryCommandError("cannot connect to \(url): \(error)")
            }
            do {
                // The queue's layout as recorded (single when none is): a sharded queue lists across shards.
                let layout = try await QueueLayoutRecord.resolve(nil, queueName: queue, client: client)
                let result = try await body(RedisRunHistory(client: client, queueName: queue, layout: layout))
                await client.close()
                return result
            } catch {
                await client.close()
                throw error
            }
        case .sqlite(let path):
            guard FileManager.default.fileExists(atPath: path) else {
                throw HistoryCommandError("no history database at '\(path)'")
            }
            let store: SQLiteRunHistory
            do {
                // Read only: the app's file keeps its own retention, cap and layout.
                store = try await SQLiteRunHistory(readingFrom: path)
            } catch {
                throw HistoryCommandError("--db: \(error)")
            }
            return try await body(store)
        }
    }
}

/// A history command's failure: printed as `error: …`, exit 1 (4 for an unknown run).
struct HistoryCommandError: Error, CustomStringConvertible {
    var description: String
    var exitCode: Int32

    init(_ description: String, exitCode: Int32 = 1) {
        self.description = description
        self.exitCode = exitCode
    }

    static func unknownRun(_ runID: String) -> HistoryCommandError {
        HistoryCommandError("unknown run '\(runID)' (never recorded, expired, or recorded with history off)", exitCode: 4)
    }

    /// Runs `body`, printing a failure on stderr and exiting with its code.
    static func reporting(_ body: () async throws -> Void) async throws {
        do {
            try await body()
        } catch let error as HistoryCommandError {
            StandardStreams.error("error: \(error.description)\n")
            throw ExitCode(error.exitCode)
        } catch let exit as ExitCode {
            throw exit
        } catch {
            StandardStreams.error("error: \(error)\n")
            throw ExitCode(1)
        }
    }
}

/// Formatting shared by the history commands.
enum HistoryFormatting {
    /// `--since` as milliseconds before now: `90s`, `30m`, `1h`, `2d`, `1w`.
    static func sinceMilliseconds(_ text: String) -> Int64? {
        let units: [Character: Int64] = ["s": 1_000, "m": 60_000, "h": 3_600_000, "d": 86_400_000, "w": 604_800_000]
        guard let unit = text.last.flatMap({ units[$0] }), let count = Int64(text.dropLast()), count > 0,
            count <= 520 * 604_800_000 / unit
        else { return nil }
        return count * unit
    }

    static func timestamp(_ ms: Int64) -> String {
        let formatter = ISO8601DateFormatter()
        formatter.formatOptions = [.withInternetDateTime]
        return formatter.string(from: Date(timeIntervalSince1970: Double(ms) / 1000))
    }

    static func duration(_ ms: Int64?) -> String {
        guard let ms else { return "-" }
        if ms < 1_000 { return "\(ms)ms" }
        if ms < 60_000 { return String(format: "%.1fs", Double(ms) / 1000) }
        if ms < 3_600_000 { return "\(ms / 60_000)m\((ms % 60_000) / 1000)s" }
        return "\(ms / 3_600_000)h\((ms % 3_600_000) / 60_000)m"
    }

    static func json<T: Encodable>(_ value: T) throws -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        return compactingEmpty(String(decoding: try encoder.encode(value), as: UTF8.self)) + "\n"
    }

    /// Empty objects and arrays as `{}` and `[]`: the pretty-printing encoder writes them over
    /// lines (`{`, an empty line, `}`). Only across a line break, which a JSON string cannot hold
    /// unescaped, so no string's text changes.
    static func compactingEmpty(_ text: String) -> String {
        text.replacing(#/\{\n[ \n]*\}/#, with: "{}").replacing(#/\[\n[ \n]*\]/#, with: "[]")
    }

    /// Text columns padded to their widest cell.
    static func table(_ rows: [[String]]) -> String {
        guard let first = rows.first else { return "" }
        var widths = [Int](repeating: 0, count: first.count)
        for row in rows { for (i, cell) in row.enumerated() where i < widths.count { widths[i] = max(widths[i], cell.count) } }
        return rows.map { row in
            row.enumerated().map { i, cell in
                i == row.count - 1 ? cell : cell.padding(toLength: widths[i], withPad: " ", startingAt: 0)
            }.joined(separator: "  ")
        }.joined(separator: "\n") + "\n"
    }
}

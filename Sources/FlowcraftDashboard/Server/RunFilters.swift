import Flowcraft
import FlowcraftRedis

/// The Runs page's filters, read from the query string and checked: a bad value is a 400 that names
/// the parameter, never a crash.
struct RunFilters: Sendable, Equatable {
    var status: RunHistoryStatus?
    var blueprint: String?
    /// As typed (`1h`, `30m`, `7d`, `90s`).
    var since: String?
    var sinceMilliseconds: Int64?
    var limit = 50
    var cursor: String?
    /// A run id to go to.
    var runID: String?

    static let maximumLimit = 1000
    static let maximumCursorLength = 512
    static let maximumBlueprintLength = 256

    struct Problem: Error, Equatable {
        var message: String
    }

    init() {}

    init(query: [String: String], now: Int64) throws(Problem) {
        if let text = query["status"], !text.isEmpty {
            guard let status = RunHistoryStatus(rawValue: text) else {
                throw Problem(
                    message: "unknown status '\(text)' (one of \(RunHistoryStatus.allCases.map(\.rawValue).joined(separator: ", ")))")
            }
            self.status = status
        }
        if let text = query["blueprint"], !text.isEmpty {
            guard text.count <= Self.maximumBlueprintLength else {
                throw Problem(message: "blueprint is longer than \(Self.maximumBlueprintLength) characters")
            }
            blueprint = text
        }
        if let text = query["since"], !text.isEmpty {
            guard let span = Self.milliseconds(text) else {
                throw Problem(message: "since '\(text)' is not a duration like 90s, 30m, 12h or 7d")
            }
            since = text
            sinceMilliseconds = now - span
        }
        if let text = query["limit"], !text.isEmpty {
            guard let limit = Int(text), (1...Self.maximumLimit).contains(limit) else {
                throw Problem(message: "limit '\(text)' is not a whole number from 1 to \(Self.maximumLimit)")
            }
            self.limit = limit
        }
        if let text = query["cursor"], !text.isEmpty {
            guard text.utf8.count <= Self.maximumCursorLength else {
                throw Problem(message: "cursor is longer than \(Self.maximumCursorLength) bytes")
            }
            cursor = text
        }
        if let text = query["run"]?.trimmingWhitespace(), !text.isEmpty {
            if let problem = RunIdentifier.problem(with: text) { throw Problem(message: "run id: \(problem)") }
            runID = text
        }
    }

    var query: RunQuery {
        RunQuery(status: status, blueprintID: blueprint, since: sinceMilliseconds, limit: limit, cursor: cursor)
    }

    /// The query string of these filters with another cursor (nil: the first page).
    func queryString(cursor: String?) -> String {
        var items: [(String, String)] = []
        if let status { items.append(("status", status.rawValue)) }
        if let blueprint { items.append(("blueprint", blueprint)) }
        if let since { items.append(("since", since)) }
        if limit != 50 { items.append(("limit", String(limit))) }
        if let cursor { items.append(("cursor", cursor)) }
        return items.map { "\($0.0)=\(HTML.component($0.1))" }.joined(separator: "&")
    }

    /// `90s`, `30m`, `12h`, `7d` in milliseconds (at most 10 years).
    static func milliseconds(_ text: String) -> Int64? {
        guard let unit = text.last, let value = Int64(text.dropLast()), value >= 0, value <= 3650 * 86_400 else { return nil }
        let scale: Int64
        switch unit {
        case "s": scale = 1000
        case "m": scale = 60_000
        case "h": scale = 3_600_000
        case "d": scale = 86_400_000
        default: return nil
        }
        let (result, overflow) = value.multipliedReportingOverflow(by: scale)
        return overflow || result > 3650 * 86_400_000 ? nil : result
    }
}

extension String {
    func trimmingWhitespace() -> String {
        var text = Substring(self)
        while text.first?.isWhitespace == true { text.removeFirst() }
        while text.last?.isWhitespace == true { text.removeLast() }
        return String(text)
    }
}

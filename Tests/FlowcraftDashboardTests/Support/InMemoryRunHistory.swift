import Flowcraft
import FlowcraftDashboard

/// A run history kept in memory, for the dashboard's tests (the Redis store is another branch's):
/// filters like the real stores, pages newest first with an opaque offset cursor, and can be told
/// to fail (Redis gone) or hang.
final class InMemoryRunHistory: RunHistoryReader, Sendable {
    enum Mode: Sendable { case normal, failing, hanging }

    private struct State {
        var summaries: [String: RunSummary] = [:]
        var events: [String: [RunHistoryEvent]] = [:]
        var mode = Mode.normal
    }

    private let state = PthreadMutex(State())

    struct Unreachable: Error, CustomStringConvertible {
        var description: String { "connection refused (fake)" }
    }

    func set(mode: Mode) { state.withLock { $0.mode = mode } }

    func store(_ summary: RunSummary, events: [RunHistoryEvent]) {
        state.withLock {
            $0.summaries[summary.runID] = summary
            $0.events[summary.runID] = events
        }
    }

    private func check() async throws {
        switch state.withLock({ $0.mode }) {
        case .normal: return
        case .failing: throw Unreachable()
        case .hanging: try await Task.sleep(for: .seconds(30))
        }
    }

    func runs(_ query: RunQuery) async throws -> RunPage {
        try await check()
        let all = state.withLock { Array($0.summaries.values) }.filter { run in
            (query.status == nil || run.status == query.status) && (query.blueprintID == nil || run.blueprintID == query.blueprintID)
                && (query.since == nil || run.startedAt >= query.since ?? 0)
        }.sorted { ($0.startedAt, $0.runID) > ($1.startedAt, $1.runID) }
        // A cursor it did not hand out is the query's fault, as in the real stores.
        if let cursor = query.cursor, Int(cursor) == nil {
            throw RunQueryError(parameter: "cursor", message: "'\(cursor)' is not a cursor this history handed out")
        }
        let offset = query.cursor.flatMap(Int.init) ?? 0
        let page = Array(all.dropFirst(offset).prefix(query.limit))
        let next = offset + page.count < all.count ? String(offset + page.count) : nil
        return RunPage(runs: page, nextCursor: next)
    }

    func run(_ runID: String) async throws -> RunSummary? {
        try await check()
        return state.withLock { $0.summaries[runID] }
    }

    func events(of runID: String) async throws -> [RunHistoryEvent] {
        try await check()
        return state.withLock { $0.events[runID] ?? [] }
    }
}

import Flowcraft
import FlowcraftRedis

/// Where `flowcraft dashboard` reads run history and how it redrives: the one place the Redis
/// history store (`RedisRunHistory`) and `WorkflowClient.redrive` are wired in once they exist.
/// Until then the dashboard shows an empty history and offers no redrive.
enum DashboardHistory {
    static func reader(client: RedisClient) -> any RunHistoryReader {
        NoRunHistory()
    }

    static func redrive(client: WorkflowClient) -> (@Sendable (String) async throws -> Void)? {
        nil
    }
}

/// A history with no run (the Runs page says so; run pages answer 404).
struct NoRunHistory: RunHistoryReader {
    func runs(_ query: RunQuery) async throws -> RunPage { RunPage(runs: [], nextCursor: nil) }
    func run(_ runID: String) async throws -> RunSummary? { nil }
    func events(of runID: String) async throws -> [RunHistoryEvent] { [] }
}

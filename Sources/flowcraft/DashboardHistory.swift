import Flowcraft
import FlowcraftRedis

/// Where `flowcraft dashboard` reads run history (the queue's `RedisRunHistory`) and how it redrives
/// a failed run (`WorkflowClient.redrive`).
enum DashboardHistory {
    static func reader(client: RedisClient, queueName: String, layout: QueueLayout = .single) -> any RunHistoryReader {
        RedisRunHistory(client: client, queueName: queueName, layout: layout)
    }

    static func redrive(client: WorkflowClient) -> (@Sendable (String) async throws -> Void)? {
        { runID in _ = try await client.redrive(runID) }
    }
}

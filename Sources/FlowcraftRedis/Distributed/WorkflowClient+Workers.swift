extension WorkflowClient {
    /// The names of the live workers of this client's queue (those whose ``WorkerDirectory``
    /// advertisement has not lapsed), sorted. One `HGETALL`; for dashboards and tools, never on a hot path.
    public func liveWorkerNames() async throws -> [String] {
        try await WorkerDirectory(client: client, queueName: options.queueName).live().keys.sorted()
    }
}

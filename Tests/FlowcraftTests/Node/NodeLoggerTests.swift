import Flowcraft
import Logging
import Testing

/// What a ``CapturingLogHandler`` was asked to log, with the metadata it had.
private final class LogLines: Sendable {
    let lines = PthreadMutex<[(message: String, metadata: Logger.Metadata)]>([])
}

/// A log handler that keeps what it was asked to log.
private struct CapturingLogHandler: LogHandler {
    let sink: LogLines
    var metadata: Logger.Metadata = [:]
    var logLevel: Logger.Level = .trace

    subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { metadata[key] }
        set { metadata[key] = newValue }
    }

    func log(event: LogEvent) {
        let all = metadata.merging(event.metadata ?? [:]) { _, new in new }
        sink.lines.withLock { $0.append((event.message.description, all)) }
    }
}

@Suite("Node loggers")
struct NodeLoggerTests {
    @Test("a node's logger carries its run id and node id, and keeps the runtime logger's own metadata")
    func nodeLoggerMetadata() async throws {
        let sink = LogLines()
        var logger = Logger(label: "test") { _ in CapturingLogHandler(sink: sink) }
        logger[metadataKey: "service"] = "orders"
        var registry = NodeRegistry()
        registry.register("talk") { ctx in
            ctx.logger.info("hello from \(ctx.nodeID)")
            return NodeResult()
        }
        let blueprint = WorkflowBlueprint(
            id: "chatty", nodes: [NodeDefinition(id: "first", uses: "talk"), NodeDefinition(id: "second", uses: "talk")],
            edges: [EdgeDefinition(source: "first", target: "second")])
        let runtime = try FlowRuntime(
            blueprints: [blueprint], registry: registry,
            options: FlowRuntime.Options(logger: logger))
        let result = try await runtime.run("chatty")
        #expect(result.status == WorkflowStatus.completed)
        let logged = sink.lines.withLock { $0 }.filter { $0.message.hasPrefix("hello from") }
        #expect(logged.count == 2)
        for line in logged {
            let node = String(line.message.dropFirst("hello from ".count))
            #expect(line.metadata["nodeId"] == .string(node))
            #expect(line.metadata["runId"] == .string(result.runID))
            #expect(line.metadata["service"] == "orders")
        }
    }
}

import Flowcraft
import Tracing

/// Wraps every node attempt in a swift-distributed-tracing span named `flowcraft.node <nodeId>`.
///
/// ```swift
/// let runtime = try FlowRuntime(blueprints: blueprints, registry: registry, middleware: [TracingMiddleware()])
/// ```
/// Attributes (keys in ``TracingMiddleware/AttributeKey``): the blueprint id, node id, run id and
/// attempt number. An attempt that throws records the error on its span and sets the span's status
/// to error. Spans are children of the task's current span (the caller's `withSpan` around
/// `FlowRuntime.run` in the in-memory engine; none in a distributed worker, where each attempt is
/// a root span), and a node's own spans nest under its attempt's span.
public struct TracingMiddleware: NodeMiddleware {
    /// Span attribute names.
    public enum AttributeKey {
        public static let blueprintID = "flowcraft.blueprint.id"
        public static let nodeID = "flowcraft.node.id"
        public static let runID = "flowcraft.run.id"
        public static let attempt = "flowcraft.node.attempt"
    }

    /// The tracer given at init; `nil` means the global `InstrumentationSystem.tracer`.
    public let tracer: (any Tracer)?
    /// Span names are this, a space and the node id.
    public let spanNamePrefix: String

    /// - Parameters:
    ///   - tracer: Where spans go; `nil` for the global `InstrumentationSystem.tracer`, read at each
    ///     attempt (so bootstrapping after making the middleware is fine).
    ///   - spanNamePrefix: The start of every span name.
    public init(tracer: (any Tracer)? = nil, spanNamePrefix: String = "flowcraft.node") {
        self.tracer = tracer
        self.spanNamePrefix = spanNamePrefix
    }

    public func aroundNode(
        _ context: NodeContext, next: @Sendable () async throws -> NodeResult
    ) async throws -> NodeResult {
        let tracer: any Tracer = self.tracer ?? InstrumentationSystem.tracer
        return try await Self.trace(tracer, name: spanNamePrefix, context, next)
    }

    private static func trace<T: Tracer>(
        _ tracer: T, name: String, _ context: NodeContext, _ next: @Sendable () async throws -> NodeResult
    ) async throws -> NodeResult {
        try await tracer.withSpan(name + " " + context.nodeID, ofKind: .internal) { span in
            // A no-op tracer's spans don't record: skip building attributes nobody keeps.
            if span.isRecording {
                span.updateAttributes { attributes in
                    attributes[AttributeKey.blueprintID] = context.blueprintID
                    attributes[AttributeKey.nodeID] = context.nodeID
                    attributes[AttributeKey.runID] = context.runID
                    attributes[AttributeKey.attempt] = context.attempt
                }
            }
            return try await next()
        }
    }
}

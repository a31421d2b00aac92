import Flowcraft
import FlowcraftObservability
import InMemoryTracing
import Testing
import Tracing

@Suite("TracingMiddleware (in-memory engine)")
struct TracingMiddlewareTests {
    @Test func oneSpanPerAttemptWithAttributesAndErrorStatus() async throws {
        let tracer = InMemoryTracer()
        let runtime = try ObservedBlueprint.runtime(middleware: [TracingMiddleware(tracer: tracer)])
        let result = try await runtime.run(ObservedBlueprint.id, runID: "run-1")
        #expect(result.status == .failed)

        let spans = tracer.finishedSpans
        #expect(spans.map(\.operationName) == [
            "flowcraft.node start", "flowcraft.node flaky", "flowcraft.node flaky", "flowcraft.node broken",
        ])
        for span in spans {
            #expect(span.kind == .internal)
            #expect(span.attributes["flowcraft.blueprint.id"]?.toSpanAttribute() == .string(ObservedBlueprint.id))
            #expect(span.attributes["flowcraft.run.id"]?.toSpanAttribute() == .string("run-1"))
        }
        let nodes = spans.map { $0.attributes["flowcraft.node.id"]?.toSpanAttribute() }
        #expect(nodes == [.string("start"), .string("flaky"), .string("flaky"), .string("broken")])
        let attempts = spans.map { $0.attributes["flowcraft.node.attempt"]?.toSpanAttribute() }
        #expect(attempts == [.int64(1), .int64(1), .int64(2), .int64(1)])

        #expect(spans.map { $0.status?.code } == [nil, .error, nil, .error])
        #expect(spans.map(\.errors.count) == [0, 1, 0, 1])
        #expect(String(describing: spans[3].errors.first?.error ?? ObservedBlueprint.Failure(description: "")) == "broken always fails")
    }

    @Test func nodeSpansAreChildrenOfTheCallersSpan() async throws {
        let tracer = InMemoryTracer()
        let runtime = try ObservedBlueprint.runtime(middleware: [TracingMiddleware(tracer: tracer)])
        let parentSpanID = try await tracer.withSpan("handle request") { span in
            _ = try await runtime.run(ObservedBlueprint.id)
            return span.spanID
        }
        let nodeSpans = tracer.finishedSpans.filter { $0.operationName.hasPrefix("flowcraft.node ") }
        #expect(nodeSpans.count == 4)
        #expect(nodeSpans.allSatisfy { $0.parentSpanID == parentSpanID })
        let traceIDs = Set(tracer.finishedSpans.map(\.traceID))
        #expect(traceIDs.count == 1)
    }

    @Test func spanNamePrefixIsConfigurable() async throws {
        let tracer = InMemoryTracer()
        let runtime = try ObservedBlueprint.runtime(
            middleware: [TracingMiddleware(tracer: tracer, spanNamePrefix: "orders.step")])
        _ = try await runtime.run(ObservedBlueprint.id)
        #expect(tracer.finishedSpans.first?.operationName == "orders.step start")
    }
}

import Flowcraft
import HTTPTypes
import Hummingbird
import Logging
import NIOCore
import NIOEmbedded

/// A response as a router test sees it: status, headers and the whole body.
struct RouterTestResponse: Sendable {
    var head: HTTPResponse
    var body: ByteBuffer

    var status: HTTPResponse.Status { head.status }
    var headers: HTTPFields { head.headerFields }
}

/// Sends requests straight to a router's responder, in process: no server, no socket, no HTTP client
/// (so the tests need neither HummingbirdTesting nor the HTTP client and TLS stack it brings).
///
/// Each request is a `Request` built from its head and a body buffer, handled with a fresh context
/// whose channel is an `EmbeddedChannel`; a handler that throws is answered as Hummingbird's server
/// answers it (its `HTTPResponseError` status, else 500).
struct RouterTestClient<Context: RequestContext>: Sendable where Context.Source == ApplicationRequestContextSource {
    let responder: RouterResponder<Context>
    let logger: Logger

    init(_ router: Router<Context>, logger: Logger = Logger(label: "router-test")) {
        responder = router.buildResponder()
        self.logger = logger
    }

    func execute(
        uri: String, method: HTTPRequest.Method, headers: HTTPFields = [:], body: ByteBuffer? = nil
    ) async throws -> RouterTestResponse {
        var headers = headers
        if let body { headers[.contentLength] = String(body.readableBytes) }
        let request = Request(
            head: HTTPRequest(method: method, scheme: "http", authority: "localhost", path: uri, headerFields: headers),
            body: RequestBody(buffer: body ?? ByteBuffer()))
        let context = Context(source: ApplicationRequestContextSource(channel: EmbeddedChannel(), logger: logger))
        let response: Response
        do {
            response = try await responder.respond(to: request, context: context)
        } catch let error as any HTTPResponseError {
            response = try error.response(from: request, context: context)
        } catch {
            response = Response(status: .internalServerError)
        }
        let collector = BodyCollector()
        try await response.body.write(collector)
        return RouterTestResponse(head: response.head, body: collector.buffer.withLock { $0 })
    }

    /// The body writer that keeps what the response writes.
    final class BodyCollector: ResponseBodyWriter, Sendable {
        let buffer = PthreadMutex(ByteBuffer())

        func write(_ part: ByteBuffer) async throws {
            _ = buffer.withLock { $0.writeImmutableBuffer(part) }
        }

        func finish(_ trailingHeaders: HTTPFields?) async throws {}
    }
}

extension Router where Context.Source == ApplicationRequestContextSource {
    /// Runs `body` with a client that sends requests straight to this router.
    func test<Value>(_ body: (RouterTestClient<Context>) async throws -> Value) async throws -> Value {
        try await body(RouterTestClient(self))
    }
}

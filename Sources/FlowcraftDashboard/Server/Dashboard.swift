import Flowcraft
import FlowcraftRedis
import Foundation
import Hummingbird

/// The Flowcraft web dashboard: Queues, Runs, Run and Blueprints pages, a JSON API and the run
/// actions, as Hummingbird routes.
///
/// Mount it in an existing Hummingbird app with
/// `router.addRoutes(dashboard.routes(context: MyContext.self), atPath: "/dashboard")` (and
/// `basePath: "/dashboard"` in its configuration, so that its links point there), or serve it alone
/// with ``router()``.
public struct Dashboard: Sendable {
    /// What the dashboard reads and how it acts.
    public let configuration: DashboardConfiguration
    /// Requests whose URI is longer than this get 414.
    public static let maximumURILength = 4096
    /// Form bodies larger than this get 413.
    public static let maximumFormBytes = 16_384

    /// The methods the dashboard answers on its paths: those a path does not take are 405.
    static let answeredMethods: [HTTPRequest.Method] = [.get, .head, .post, .put, .delete, .patch, .options, .trace, .connect]

    /// A dashboard over `configuration`; mount ``routes(context:)`` in a Hummingbird router.
    public init(configuration: DashboardConfiguration) {
        self.configuration = configuration
    }

    /// A router serving only the dashboard, at ``DashboardConfiguration/basePath``.
    public func router() -> Router<BasicRequestContext> {
        let router = Router()
        router.addRoutes(routes(), atPath: RouterPath(configuration.basePath.isEmpty ? "/" : configuration.basePath))
        return router
    }

    /// The dashboard's routes, relative to where they are mounted. Every page and API answers `GET`
    /// and `HEAD` (the same status and headers, no body: what uptime checks send); the run actions
    /// answer `POST`. Another method on one of these paths is `405 Method Not Allowed` with `Allow`
    /// (it was `404`, as if the path did not exist).
    public func routes<Context: RequestContext>(context: Context.Type = BasicRequestContext.self) -> RouteCollection<Context> {
        let routes = RouteCollection(context: Context.self)
        let handlers = DashboardHandlers(configuration: configuration)
        typealias Handler = @Sendable (Request, Context) async throws -> Response
        var gets: [(path: String, handler: Handler)] = []
        var posts: [(path: String, handler: Handler)] = []
        func get(_ path: String, _ handler: @escaping Handler) { gets.append((path, handler)) }

        get("/") { request, _ in
            await handlers.respond(request, html: true) { Response(status: .seeOther, headers: [.location: handlers.base + "/queues"]) }
        }
        get("queues") { request, _ in await handlers.respond(request, html: true) { try await handlers.queuesPage(request) } }
        get("queues/live") { request, _ in await handlers.respond(request, html: true) { try await handlers.queuesFragment() } }
        get("runs") { request, _ in await handlers.respond(request, html: true) { try await handlers.runsPage(request) } }
        get("runs/:id") { request, context in
            await handlers.respond(request, html: true) { try await handlers.runPage(request, id: context.parameters.get("id")) }
        }
        get("runs/:id/live") { request, context in
            await handlers.respond(request, html: true) { try await handlers.runFragment(id: context.parameters.get("id")) }
        }
        get("blueprints") { request, _ in await handlers.respond(request, html: true) { handlers.blueprintsPage() } }
        get("assets/dashboard.css") { request, _ in
            await handlers.respond(request, html: false) { DashboardHandlers.asset(DashboardAssets.css, type: "text/css; charset=utf-8") }
        }
        get("assets/dashboard.js") { request, _ in
            await handlers.respond(request, html: false) {
                DashboardHandlers.asset(DashboardAssets.js, type: "text/javascript; charset=utf-8")
            }
        }
        for action in DashboardHandlers.Action.allCases {
            posts.append(("runs/:id/" + action.rawValue, { request, context in
                await handlers.respond(request, html: true) {
                    try await handlers.perform(action, request: request, id: context.parameters.get("id"), json: false)
                }
            }))
            posts.append(("api/runs/:id/" + action.rawValue, { request, context in
                await handlers.respond(request, html: false) {
                    try await handlers.perform(action, request: request, id: context.parameters.get("id"), json: true)
                }
            }))
        }
        get("api/queues") { request, _ in await handlers.respond(request, html: false) { try await handlers.queuesJSON() } }
        get("api/runs") { request, _ in await handlers.respond(request, html: false) { try await handlers.runsJSON(request) } }
        get("api/runs/:id") { request, context in
            await handlers.respond(request, html: false) { try await handlers.runJSON(id: context.parameters.get("id")) }
        }
        get("api/blueprints") { request, _ in await handlers.respond(request, html: false) { try handlers.blueprintsJSON() } }

        for (path, handler) in gets {
            routes.get(RouterPath(path), use: handler)
            routes.head(RouterPath(path)) { request, context in try await handler(request, context).createHeadResponse() }
        }
        for (path, handler) in posts { routes.post(RouterPath(path), use: handler) }
        for (paths, allowed) in [(gets.map(\.path), [HTTPRequest.Method.get, .head]), (posts.map(\.path), [.post])] {
            let allow = allowed.map(\.rawValue).joined(separator: ", ")
            for path in paths {
                for method in Self.answeredMethods where !allowed.contains(method) {
                    routes.on(RouterPath(path), method: method) { request, _ in
                        await handlers.respond(request, html: false) {
                            throw DashboardFailure(
                                status: .methodNotAllowed, message: "\(request.method.rawValue) is not allowed here (allowed: \(allow))",
                                headers: [.allow: allow])
                        }
                    }
                }
            }
        }
        return routes
    }
}

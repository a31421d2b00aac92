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

    /// The dashboard's routes, relative to where they are mounted.
    public func routes<Context: RequestContext>(context: Context.Type = BasicRequestContext.self) -> RouteCollection<Context> {
        let routes = RouteCollection(context: Context.self)
        let handlers = DashboardHandlers(configuration: configuration)
        routes.get("/") { request, _ in
            await handlers.respond(request, html: true) { Response(status: .seeOther, headers: [.location: handlers.base + "/queues"]) }
        }
        routes.get("queues") { request, _ in await handlers.respond(request, html: true) { try await handlers.queuesPage(request) } }
        routes.get("queues/live") { request, _ in await handlers.respond(request, html: true) { try await handlers.queuesFragment() } }
        routes.get("runs") { request, _ in await handlers.respond(request, html: true) { try await handlers.runsPage(request) } }
        routes.get("runs/:id") { request, context in
            await handlers.respond(request, html: true) { try await handlers.runPage(request, id: context.parameters.get("id")) }
        }
        routes.get("runs/:id/live") { request, context in
            await handlers.respond(request, html: true) { try await handlers.runFragment(id: context.parameters.get("id")) }
        }
        routes.get("blueprints") { request, _ in await handlers.respond(request, html: true) { handlers.blueprintsPage() } }
        routes.get("assets/dashboard.css") { _, _ in DashboardHandlers.asset(DashboardAssets.css, type: "text/css; charset=utf-8") }
        routes.get("assets/dashboard.js") { _, _ in
            DashboardHandlers.asset(DashboardAssets.js, type: "text/javascript; charset=utf-8")
        }
        for action in DashboardHandlers.Action.allCases {
            routes.post(RouterPath("runs/:id/" + action.rawValue)) { request, context in
                await handlers.respond(request, html: true) {
                    try await handlers.perform(action, request: request, id: context.parameters.get("id"), json: false)
                }
            }
            routes.post(RouterPath("api/runs/:id/" + action.rawValue)) { request, context in
                await handlers.respond(request, html: false) {
                    try await handlers.perform(action, request: request, id: context.parameters.get("id"), json: true)
                }
            }
        }
        routes.get("api/queues") { request, _ in await handlers.respond(request, html: false) { try await handlers.queuesJSON() } }
        routes.get("api/runs") { request, _ in await handlers.respond(request, html: false) { try await handlers.runsJSON(request) } }
        routes.get("api/runs/:id") { request, context in
            await handlers.respond(request, html: false) { try await handlers.runJSON(id: context.parameters.get("id")) }
        }
        routes.get("api/blueprints") { request, _ in await handlers.respond(request, html: false) { try handlers.blueprintsJSON() } }
        return routes
    }
}

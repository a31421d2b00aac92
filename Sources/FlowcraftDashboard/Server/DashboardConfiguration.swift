import Flowcraft

/// What a ``Dashboard`` shows and what it may do.
public struct DashboardConfiguration: Sendable {
    /// Where runs are read (the Redis history store for the distributed engine).
    public var history: any RunHistoryReader
    /// The queues page's source; nil hides the figures.
    public var queues: (any DashboardQueueSource)?
    /// Cancel, resume and redrive; nil shows no action.
    public var actions: (any DashboardRunActions)?
    /// The blueprints drawn on the Blueprints page and under each run.
    public var blueprints: [DashboardBlueprint]
    /// When set, every action needs it (form field `token` or `Authorization: Bearer …`).
    public var token: String?
    /// The path the dashboard is mounted at (`""` at the root, or e.g. `"/dashboard"`).
    public var basePath: String
    /// How long one read of the history or the queue may take before the page says the store is
    /// unavailable (instead of hanging while Redis is away).
    public var readTimeout: Duration
    /// The host names (`Host` header, port left out, lower case) the dashboard answers to; any other
    /// gets 421. `nil` answers to any. A page on another site can point its own name at 127.0.0.1
    /// (DNS rebinding): without this check it could read the dashboard and act on runs, its requests
    /// carrying its own name in `Host` and `Origin`. ``loopbackHosts`` for a local dashboard.
    public var allowedHosts: Set<String>?

    /// The names a dashboard bound to a loopback address is reached under.
    public static let loopbackHosts: Set<String> = ["localhost", "127.0.0.1", "::1"]

    /// A configuration: where history, queue figures and actions come from, the blueprints to draw, an optional token for actions, the path the dashboard is mounted at, how long a read may take before the page says the store is unavailable, and the host names it answers to (`nil`: any).
    public init(
        history: any RunHistoryReader, queues: (any DashboardQueueSource)? = nil, actions: (any DashboardRunActions)? = nil,
        blueprints: [DashboardBlueprint] = [], token: String? = nil, basePath: String = "", readTimeout: Duration = .seconds(5),
        allowedHosts: Set<String>? = nil
    ) {
        self.allowedHosts = allowedHosts.map { Set($0.map { $0.lowercased() }) }
        self.history = history
        self.queues = queues
        self.actions = actions
        self.blueprints = blueprints
        self.token = token.flatMap { $0.isEmpty ? nil : $0 }
        var base = basePath
        while base.hasSuffix("/") { base.removeLast() }
        if !base.isEmpty && !base.hasPrefix("/") { base = "/" + base }
        self.basePath = base
        self.readTimeout = readTimeout
    }
}

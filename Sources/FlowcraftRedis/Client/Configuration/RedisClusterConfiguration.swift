/// Settings for Redis Cluster mode: where to discover the cluster and how persistently to follow
/// redirections and wait out fail-overs.
///
/// In cluster mode ``RedisClient`` learns the slot map from the seed nodes (`CLUSTER SHARDS`, or
/// `CLUSTER SLOTS` before Redis 7), keeps one connection pool per master and sends each command to
/// the master owning its key's slot. `MOVED` and `ASK` replies are followed, `TRYAGAIN` and
/// `CLUSTERDOWN` are retried with back-off, and a node that cannot be reached makes the client
/// reload the map and retry commands that were never sent. Set by `redis+cluster://` URLs.
public struct RedisClusterConfiguration: Sendable, Hashable {
    /// A node's address.
    public struct Endpoint: Sendable, Hashable, CustomStringConvertible {
        /// Host name or IP address.
        public var host: String
        /// TCP port.
        public var port: Int

        /// The node at `host`:`port`.
        public init(host: String, port: Int = RedisConfiguration.defaultPort) {
            self.host = host
            self.port = port
        }

        public var description: String { host.contains(":") ? "[\(host)]:\(port)" : "\(host):\(port)" }
    }

    /// Nodes asked for the slot map at start-up, and last when every known node fails (at least one).
    public var seeds: [Endpoint]
    /// `MOVED`/`ASK` redirections followed for one command before it fails (default 5).
    public var maxRedirects: Int
    /// Attempts for a command answered with `TRYAGAIN` or `CLUSTERDOWN`, or whose node cannot be
    /// reached before the command was sent (default 6).
    public var retryAttempts: Int
    /// Delay before the first retry; doubled on each further retry (default 50 ms).
    public var retryBaseDelay: Duration
    /// Upper bound for the retry delay (default 1.6 s).
    public var retryMaxDelay: Duration

    /// A cluster discovered through `seeds`, with the default redirect and retry limits.
    public init(
        seeds: [Endpoint], maxRedirects: Int = 5, retryAttempts: Int = 6,
        retryBaseDelay: Duration = .milliseconds(50), retryMaxDelay: Duration = .milliseconds(1600)
    ) {
        self.seeds = seeds
        self.maxRedirects = maxRedirects
        self.retryAttempts = retryAttempts
        self.retryBaseDelay = retryBaseDelay
        self.retryMaxDelay = retryMaxDelay
    }
}

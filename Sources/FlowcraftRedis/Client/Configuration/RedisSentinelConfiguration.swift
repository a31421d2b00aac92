/// Where to find a Redis master through Redis Sentinel, and how to log in to the sentinels.
///
/// On every (re)connect the client asks the sentinels in turn for the master's address
/// (`SENTINEL get-master-addr-by-name`), connects, and checks with `ROLE` that the server is a master.
/// A lost connection, a `READONLY` reply (the master was demoted) or an `UNBLOCKED` reply (a blocking
/// command interrupted by a role change) makes the next command reconnect and ask again, so clients,
/// queues and workers follow a failover.
public struct RedisSentinelConfiguration: Sendable, Hashable {
    /// One sentinel's address.
    public struct Endpoint: Sendable, Hashable, CustomStringConvertible {
        /// The sentinel's host name or IP address.
        public var host: String
        /// The sentinel's port (26379 by default).
        public var port: Int

        /// A sentinel at `host`:`port`.
        public init(host: String, port: Int = RedisSentinelConfiguration.defaultPort) {
            self.host = host
            self.port = port
        }

        public var description: String { host.contains(":") ? "[\(host)]:\(port)" : "\(host):\(port)" }
    }

    /// The default sentinel port.
    public static let defaultPort = 26379

    /// Sentinels to ask, in order (at least one).
    public var endpoints: [Endpoint]
    /// The monitored master's name (`sentinel monitor NAME …`).
    public var masterName: String
    /// ACL user for `AUTH` on the sentinels, if they require one.
    public var username: String?
    /// Password for `AUTH` on the sentinels (`requirepass` in sentinel.conf); none is sent when `nil`.
    /// The master's own credentials are ``RedisConfiguration/username`` and ``RedisConfiguration/password``.
    public var password: String?

    /// Sentinels `endpoints` monitoring the master `masterName`.
    public init(endpoints: [Endpoint], masterName: String, username: String? = nil, password: String? = nil) {
        self.endpoints = endpoints
        self.masterName = masterName
        self.username = username
        self.password = password
    }
}

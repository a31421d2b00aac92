/// Where and how to connect to Redis: endpoint, credentials, database, timeouts and reconnection.
///
/// Build one from a URL (``init(url:)``) or field by field (``init(host:port:)``,
/// ``init(unixSocketPath:)``) and adjust the `var`s.
public struct RedisConfiguration: Sendable, Hashable {
    /// Host name or IP address for TCP connections (ignored when ``unixSocketPath`` is set).
    public var host: String
    /// TCP port (ignored when ``unixSocketPath`` is set).
    public var port: Int
    /// Path of a unix domain socket; when set it is used instead of ``host`` and ``port``.
    public var unixSocketPath: String?
    /// ACL user name for `AUTH username password` (Redis 6+); `nil` for the default user.
    public var username: String?
    /// Password for `AUTH`; no `AUTH` is sent when `nil`.
    public var password: String?
    /// Database index selected with `SELECT` on every (re)connect when not 0.
    public var database: Int
    /// Maximum time to establish the TCP/unix connection.
    public var connectTimeout: Duration
    /// Maximum time the server may stay silent while a command is outstanding; on expiry the command
    /// fails with ``RedisError/Kind/timeout`` and the connection is re-established. Blocking commands
    /// pass a longer timeout explicitly (``RedisConnection/send(_:timeout:)-(RedisCommand,_)``).
    public var commandTimeout: Duration
    /// Name given to every connection with `CLIENT SETNAME` (shown by `CLIENT LIST`), if any.
    public var clientName: String?
    /// First delay before reconnecting after a failed connection attempt; doubled on each failure.
    public var reconnectBaseDelay: Duration
    /// Upper bound for the reconnection delay.
    public var reconnectMaxDelay: Duration
    /// TLS settings; `nil` for plain TCP. Set by `rediss://` URLs. Ignored for unix sockets.
    public var tls: RedisTLSConfiguration?
    /// Sentinel settings; when set, ``host`` and ``port`` are ignored and the master is looked up
    /// through the sentinels on every (re)connect. Set by `redis+sentinel://` URLs.
    public var sentinel: RedisSentinelConfiguration?
    /// Redis Cluster settings; when set, ``host`` and ``port`` are ignored and ``RedisClient`` routes
    /// every command to the master owning its key's slot. Cluster mode has only database 0. Set by
    /// `redis+cluster://` URLs.
    public var cluster: RedisClusterConfiguration?

    /// The default Redis port.
    public static let defaultPort = 6379

    /// A TCP configuration with default timeouts (connect 5 s, command 10 s) and database 0.
    public init(host: String = "127.0.0.1", port: Int = RedisConfiguration.defaultPort) {
        self.host = host
        self.port = port
        self.unixSocketPath = nil
        self.username = nil
        self.password = nil
        self.database = 0
        self.connectTimeout = .seconds(5)
        self.commandTimeout = .seconds(10)
        self.clientName = nil
        self.reconnectBaseDelay = .milliseconds(50)
        self.reconnectMaxDelay = .seconds(2)
        self.tls = nil
        self.sentinel = nil
        self.cluster = nil
    }

    /// A unix-socket configuration with default timeouts and database 0.
    public init(unixSocketPath: String) {
        self.init()
        self.unixSocketPath = unixSocketPath
    }

    /// Parses a Redis URL.
    ///
    /// Accepted forms:
    /// - `redis://[[user]:password@]host[:port][/db][?options]` (IPv6 hosts in brackets)
    /// - `rediss://…` the same over TLS (``tls``), with the options `ca`, `ca_dir`, `cert`, `key`,
    ///   `sni` and `verify` (`full`, `ca` or `none`)
    /// - `redis+sentinel://[[user]:password@]host[:port][,host[:port]…]/MASTER_NAME[/db][?options]`
    ///   (``sentinel``; `rediss+sentinel://` over TLS), with the options `sentinel_username` and
    ///   `sentinel_password`; the user and password in the URL are the master's
    /// - `redis+cluster://[[user]:password@]host[:port][,host[:port]…][?options]` (``cluster``;
    ///   `rediss+cluster://` over TLS, with the TLS options above): seed nodes of a Redis Cluster,
    ///   with the options `max_redirects`, `retry_attempts`, `retry_base_delay` and `retry_max_delay`
    ///   (seconds); no database (a cluster has only database 0)
    /// - `unix:///path/to.sock[?db=2&password=…]`, also spelled `redis+unix://` or `redis-socket://`,
    ///   optionally with `unix://[[user]:password@]/path`.
    ///
    /// Components are percent-decoded: a password containing `/`, `?`, `#`, `@` or `%` must be
    /// percent-encoded (`%2F`, `%3F`, `%23`, `%40`, `%25`). Query options: `db`, `username` (or
    /// `user`), `password`, `connect_timeout` / `timeout` (seconds), `command_timeout` (seconds),
    /// `client_name` (or `name`), plus the TLS and Sentinel options above.
    public init(url: String) throws(RedisError) {
        self.init()
        try RedisURLParser.parse(url, into: &self)
    }

    /// A short text naming the endpoint (never the password), for logs and errors.
    public var endpointDescription: String {
        if let cluster {
            return "cluster " + cluster.seeds.map(\.description).joined(separator: ",") + (tls != nil ? " (TLS)" : "")
        }
        if let sentinel {
            let sentinels = sentinel.endpoints.map(\.description).joined(separator: ",")
            return "master '\(sentinel.masterName)' via sentinel \(sentinels)"
        }
        return address.description + (tls != nil && unixSocketPath == nil ? " (TLS)" : "")
    }

    /// The directly configured server (sentinel lookups aside).
    var address: RedisAddress {
        if let unixSocketPath { return .unix(path: unixSocketPath) }
        return .tcp(host: host, port: port)
    }
}

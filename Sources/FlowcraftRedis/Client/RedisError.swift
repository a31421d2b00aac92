/// An error from the Redis client: a failed connection, a timeout, an error reply from the server,
/// a bad URL, or use of a closed connection.
///
/// Match on ``kind``; ``message`` holds the detail (for ``Kind/server`` the server's error text,
/// e.g. `WRONGTYPE Operation against a key holding the wrong kind of value`) and ``command`` names
/// the command (or script) that failed when known.
public struct RedisError: Error, Sendable, Hashable, CustomStringConvertible {
    /// The broad category of a ``RedisError``.
    public enum Kind: Sendable, Hashable {
        /// Connecting failed or the connection broke (server gone, restarted, I/O error).
        case connection
        /// A connect or command timeout expired; the connection was dropped and will be re-established.
        case timeout
        /// TLS failed: the server's certificate did not verify or does not match the host name, the
        /// server did not speak TLS, a certificate or key file could not be loaded, or the server
        /// wants a client certificate. Not transient: the configuration or the server must change.
        case tls
        /// The server answered with an error reply (`-ERR …`, `-WRONGTYPE …`, `-NOSCRIPT …`).
        case server
        /// The server sent something the client could not understand.
        case `protocol`
        /// The configuration URL is malformed.
        case invalidURL
        /// A feature this build cannot provide.
        case unsupported
        /// The connection or client was closed before the command completed.
        case closed
    }

    /// The category of the error.
    public let kind: Kind
    /// Human-readable detail; for server errors the exact error text from Redis.
    public let message: String
    /// The command (first argument) or script name this error belongs to, when known.
    public let command: String?
    /// Set when the command certainly never reached the server (connecting failed before it was
    /// written), so retrying it elsewhere cannot run it twice. Not part of equality.
    var neverSent: Bool = false

    /// An error of `kind` saying `message`, about `command` when known.
    public init(kind: Kind, message: String, command: String? = nil) {
        self.kind = kind
        self.message = message
        self.command = command
    }

    /// Connecting failed or the connection broke.
    public static func connection(_ message: String, command: String? = nil) -> RedisError {
        RedisError(kind: .connection, message: message, command: command)
    }

    /// A connect or command timeout expired.
    public static func timeout(_ message: String = "timed out", command: String? = nil) -> RedisError {
        RedisError(kind: .timeout, message: message, command: command)
    }

    /// A TLS handshake, certificate or key problem.
    public static func tls(_ message: String) -> RedisError {
        RedisError(kind: .tls, message: message)
    }

    /// An error reply from the server.
    public static func server(_ message: String, command: String? = nil) -> RedisError {
        RedisError(kind: .server, message: message, command: command)
    }

    /// Unintelligible data from the server.
    public static func `protocol`(_ message: String, command: String? = nil) -> RedisError {
        RedisError(kind: .protocol, message: message, command: command)
    }

    /// A malformed configuration URL.
    public static func invalidURL(_ message: String) -> RedisError {
        RedisError(kind: .invalidURL, message: message)
    }

    /// A feature this build does not support.
    public static func unsupported(_ message: String) -> RedisError {
        RedisError(kind: .unsupported, message: message)
    }

    /// The connection was closed.
    public static func closed(command: String? = nil) -> RedisError {
        RedisError(kind: .closed, message: "the Redis connection was closed", command: command)
    }

    /// The first word of a server error (`WRONGTYPE`, `NOSCRIPT`, `ERR`, `BUSY`), or `nil`.
    public var serverErrorCode: String? {
        guard kind == .server else { return nil }
        let word = message.prefix { $0 != " " }
        return word.isEmpty ? nil : String(word)
    }

    /// Whether retrying on a fresh connection may succeed (connection problems and timeouts).
    public var isTransient: Bool {
        kind == .connection || kind == .timeout
    }

    /// A Redis Cluster redirection (`MOVED slot host:port` or `ASK slot host:port`): the key's slot is
    /// served by another node. A connection made with ``RedisClient/dedicatedConnection(forKey:)``
    /// that sees one must be reopened (the client has learnt the new owner).
    public var isClusterRedirection: Bool {
        guard let code = serverErrorCode else { return false }
        return code == "MOVED" || code == "ASK"
    }

    /// Whether the node that should serve the command is unreachable or not serving: a connection
    /// error or timeout, or a cluster reply saying the cluster or slot is unavailable for now
    /// (`CLUSTERDOWN`, `TRYAGAIN`, `MASTERDOWN`, `LOADING`). A blocking loop on a dedicated
    /// connection should close it, wait briefly and open a new one for the key.
    public var isNodeDown: Bool {
        if isTransient { return true }
        switch serverErrorCode {
        case "CLUSTERDOWN", "TRYAGAIN", "MASTERDOWN", "LOADING": return true
        default: return false
        }
    }

    /// This error marked as raised before the command was written (see ``neverSent``).
    func markedNeverSent() -> RedisError {
        var copy = self
        copy.neverSent = true
        return copy
    }

    public static func == (lhs: RedisError, rhs: RedisError) -> Bool {
        lhs.kind == rhs.kind && lhs.message == rhs.message && lhs.command == rhs.command
    }

    public func hash(into hasher: inout Hasher) {
        hasher.combine(kind)
        hasher.combine(message)
        hasher.combine(command)
    }

    public var description: String {
        let subject = command.map { " (\($0))" } ?? ""
        switch kind {
        case .connection: return "Redis connection error\(subject): \(message)"
        case .timeout: return "Redis timeout\(subject): \(message)"
        case .tls: return "Redis TLS error\(subject): \(message)"
        case .server: return "Redis error reply\(subject): \(message)"
        case .protocol: return "Redis protocol error\(subject): \(message)"
        case .invalidURL: return "invalid Redis URL: \(message)"
        case .unsupported: return "unsupported Redis feature: \(message)"
        case .closed: return "Redis connection closed\(subject): \(message)"
        }
    }
}

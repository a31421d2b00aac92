/// What to do after a cluster node answered (or failed to answer) one command: the redirect and
/// retry rules for a single command as a value without I/O (unit-tested in `ClusterRedirectStateTests`,
/// like `ConnectionState`).
///
/// - `MOVED slot host:port`: the slot has a new owner for good: record it, refresh the whole map
///   soon, send again there.
/// - `ASK slot host:port`: the slot is migrating and this key is already on the target: send
///   `ASKING` + the command to the target once; the map does not change.
/// - `TRYAGAIN` (keys of a multi-key command mid-migration) and `CLUSTERDOWN` (no quorum, slot not
///   served during a fail-over): wait with exponential back-off, then send again (refreshing the map
///   after `CLUSTERDOWN`).
/// - A connection error raised before the command was written: refresh the map and retry after the
///   back-off. One that may have reached the server (lost reply, timeout) is returned to the caller:
///   the command may have run.
/// Redirections and retries are bounded (``RedisClusterConfiguration/maxRedirects``,
/// ``RedisClusterConfiguration/retryAttempts``); past the bound the command fails with an error
/// naming it and its slot.
struct ClusterRedirectState: Sendable, Equatable {
    typealias Endpoint = RedisClusterConfiguration.Endpoint

    /// The next step for the command.
    enum Decision: Sendable, Equatable {
        /// Record `slot` → `node` in the map, schedule a full refresh, send again to `node`.
        case moved(slot: Int, node: Endpoint)
        /// Send `ASKING` and the command to `node` (map unchanged).
        case ask(slot: Int, node: Endpoint)
        /// Wait `delay`, refresh the map first when `refreshMap`, then send again to the slot's master.
        case retry(after: Duration, refreshMap: Bool)
        /// Give up with this error.
        case fail(RedisError)
        /// Not a cluster condition: hand the reply or error to the caller as it is.
        case deliver
    }

    let maxRedirects: Int
    let retryAttempts: Int
    let baseDelay: Duration
    let maxDelay: Duration
    /// Redirections followed so far.
    private(set) var redirects = 0
    /// Retries made so far (`TRYAGAIN`, `CLUSTERDOWN`, unreachable node).
    private(set) var retries = 0

    init(_ configuration: RedisClusterConfiguration) {
        maxRedirects = max(0, configuration.maxRedirects)
        retryAttempts = max(1, configuration.retryAttempts)
        baseDelay = configuration.retryBaseDelay
        maxDelay = configuration.retryMaxDelay
    }

    /// After an error reply `message` to `command` (for `slot`, `nil` for keyless commands).
    mutating func afterErrorReply(_ message: String, command: String, slot: Int?) -> Decision {
        let code = message.prefix { $0 != " " }
        switch code {
        case "MOVED", "ASK":
            guard let (redirectSlot, node) = Self.parseRedirection(message) else { return .deliver }
            redirects += 1
            if redirects > maxRedirects {
                return .fail(.server(
                    "too many cluster redirections (\(maxRedirects)) for slot \(redirectSlot); last: \(message)",
                    command: command))
            }
            return code == "MOVED" ? .moved(slot: redirectSlot, node: node) : .ask(slot: redirectSlot, node: node)
        case "TRYAGAIN", "CLUSTERDOWN":
            let attempts = retryAttempts
            return retry(refreshMap: code == "CLUSTERDOWN") {
                .server("\(message) (after \(attempts) attempts\(slot.map { " for slot \($0)" } ?? ""))", command: command)
            }
        default:
            return .deliver
        }
    }

    /// After `error` instead of a reply.
    mutating func afterFailure(_ error: RedisError, slot: Int?) -> Decision {
        guard error.neverSent, error.kind == .connection || error.kind == .timeout else { return .deliver }
        let attempts = retryAttempts
        return retry(refreshMap: true) {
            RedisError(
                kind: error.kind,
                message: "\(error.message) (cluster node unreachable after \(attempts) attempts"
                    + (slot.map { " for slot \($0))" } ?? ")"),
                command: error.command)
        }
    }

    private mutating func retry(refreshMap: Bool, failure: () -> RedisError) -> Decision {
        retries += 1
        guard retries < retryAttempts else { return .fail(failure()) }
        return .retry(after: delay(forRetry: retries), refreshMap: refreshMap)
    }

    /// The back-off before retry number `retry` (1-based): base, 2×base, 4×base … capped.
    func delay(forRetry retry: Int) -> Duration {
        var delay = baseDelay
        for _ in 1..<max(1, retry) {
            delay = delay * 2
            if delay >= maxDelay { return maxDelay }
        }
        return min(delay, maxDelay)
    }

    /// `MOVED 3999 127.0.0.1:6381` / `ASK 3999 [::1]:6381` → slot and node; `nil` when malformed.
    static func parseRedirection(_ message: String) -> (slot: Int, node: Endpoint)? {
        let parts = message.split(separator: " ")
        guard parts.count >= 3, let slot = Int(parts[1]), (0..<RedisClusterSlot.count).contains(slot),
              let colon = parts[2].lastIndex(of: ":"), let port = Int(parts[2][parts[2].index(after: colon)...])
        else { return nil }
        var host = String(parts[2][..<colon])
        if host.hasPrefix("["), host.hasSuffix("]") { host = String(host.dropFirst().dropLast()) }
        return (slot, Endpoint(host: host, port: port))
    }
}

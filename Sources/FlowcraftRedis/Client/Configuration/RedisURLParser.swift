/// Parses `redis://`, `redis+sentinel://`, `redis+cluster://` and `unix://` URLs into a ``RedisConfiguration`` without Foundation.
enum RedisURLParser {
    static func parse(_ url: String, into configuration: inout RedisConfiguration) throws(RedisError) {
        let trimmed = url.trimmingSpaces()
        guard let schemeEnd = trimmed.firstRange(of: "://") else {
            throw .invalidURL("'\(redacted(trimmed))' has no scheme; expected redis://host:port/db or unix:///path")
        }
        let scheme = trimmed[..<schemeEnd.lowerBound].lowercased()
        let afterScheme = Substring(trimmed[schemeEnd.upperBound...])
        var rest = afterScheme
        // The fragment never carries settings.
        var fragment: Substring = ""
        if let hash = rest.firstIndex(of: "#") {
            fragment = rest[rest.index(after: hash)...]
            rest = rest[..<hash]
        }
        var query: Substring = ""
        if let question = rest.firstIndex(of: "?") {
            query = rest[rest.index(after: question)...]
            rest = rest[..<question]
        }
        // "redis://:pa#ss@host" would silently connect to the wrong place: an '@' past a '#' can only
        // be a password with a raw '#'.
        if fragment.contains("@") {
            throw .invalidURL(rawCharacterHint(in: afterScheme) ?? "unexpected '@' after '#'")
        }

        do throws(RedisError) {
            switch scheme {
            case "redis":
                try parseTCP(rest, into: &configuration)
            case "rediss", "redis+tls", "valkeys":
                try parseTCP(rest, into: &configuration)
                configuration.tls = configuration.tls ?? RedisTLSConfiguration()
            case "redis+sentinel", "redis-sentinel", "sentinel":
                try parseSentinel(rest, into: &configuration)
            case "rediss+sentinel", "redis+sentinel+tls":
                try parseSentinel(rest, into: &configuration)
                configuration.tls = configuration.tls ?? RedisTLSConfiguration()
            case "redis+cluster", "redis-cluster", "cluster":
                try parseCluster(rest, into: &configuration)
            case "rediss+cluster", "redis+cluster+tls":
                try parseCluster(rest, into: &configuration)
                configuration.tls = configuration.tls ?? RedisTLSConfiguration()
            case "unix", "redis+unix", "redis-socket", "redis+socket":
                try parseUnix(rest, into: &configuration)
            default:
                throw RedisError.invalidURL(
                    "unknown scheme '\(scheme)://'; expected redis://, rediss://, redis+sentinel://, redis+cluster://, unix:// or redis+unix://")
            }
            try applyQuery(query, into: &configuration)
            if configuration.cluster != nil, configuration.database != 0 {
                throw RedisError.invalidURL(
                    "database \(configuration.database) is not possible in cluster mode: a Redis Cluster has only database 0")
            }
        } catch {
            // A password with a raw '/', '?', '#' or '@' splits the URL in the wrong place and the
            // error names some other part ("port 'w' is not a number", quoting a piece of the
            // password): say what is really wrong instead.
            if error.kind == .invalidURL, let hint = rawCharacterHint(in: afterScheme) {
                throw .invalidURL(hint)
            }
            throw error
        }
    }

    /// When the user-info part of a URL seems to contain a raw reserved character (there is an '@'
    /// after the first '/', '?' or '#'), the advice to percent-encode it.
    private static func rawCharacterHint(in afterScheme: Substring) -> String? {
        guard let at = afterScheme.lastIndex(of: "@"),
              let reserved = afterScheme[..<at].first(where: { "/?#".contains($0) })
        else { return nil }
        return "the user name or password seems to contain a raw '\(reserved)': special characters in a URL "
            + "password must be percent-encoded ('/' as %2F, '?' as %3F, '#' as %23, '@' as %40, '%' as %25, ':' in a user name as %3A)"
    }

    // MARK: - Forms

    private static func parseTCP(_ rest: Substring, into configuration: inout RedisConfiguration) throws(RedisError) {
        var authority = rest
        var path: Substring = ""
        if let slash = rest.firstIndex(of: "/") {
            authority = rest[..<slash]
            path = rest[rest.index(after: slash)...]
        }
        if let at = authority.lastIndex(of: "@") {
            try parseUserInfo(authority[..<at], into: &configuration)
            authority = authority[authority.index(after: at)...]
        }
        try parseHostPort(authority, into: &configuration)
        if path.hasSuffix("/") { path = path.dropLast() }
        if !path.isEmpty {
            configuration.database = try parseDatabase(percentDecode(path))
        }
    }

    /// `[[user]:password@]host[:port][,host[:port]…]/MASTER_NAME[/db]`
    private static func parseSentinel(_ rest: Substring, into configuration: inout RedisConfiguration) throws(RedisError) {
        var authority = rest
        var path: Substring = ""
        if let slash = rest.firstIndex(of: "/") {
            authority = rest[..<slash]
            path = rest[rest.index(after: slash)...]
        }
        if let at = authority.lastIndex(of: "@") {
            try parseUserInfo(authority[..<at], into: &configuration)
            authority = authority[authority.index(after: at)...]
        }
        var endpoints: [RedisSentinelConfiguration.Endpoint] = []
        for part in authority.split(separator: ",", omittingEmptySubsequences: true) {
            var parsed = RedisConfiguration(host: "", port: RedisSentinelConfiguration.defaultPort)
            try parseHostPort(part, into: &parsed)
            guard !parsed.host.isEmpty else { throw .invalidURL("sentinel address '\(part)' has no host") }
            endpoints.append(.init(host: parsed.host, port: parsed.port))
        }
        guard !endpoints.isEmpty else {
            throw .invalidURL("redis+sentinel:// needs at least one sentinel host:port before the master name")
        }
        if path.hasSuffix("/") { path = path.dropLast() }
        let segments = path.split(separator: "/", omittingEmptySubsequences: false)
        guard let first = segments.first, !first.isEmpty, segments.count <= 2 else {
            throw .invalidURL("redis+sentinel:// needs the master name as its path: redis+sentinel://host:26379/MASTER_NAME[/db]")
        }
        if segments.count == 2 {
            configuration.database = try parseDatabase(percentDecode(segments[1]))
        }
        configuration.sentinel = RedisSentinelConfiguration(endpoints: endpoints, masterName: try percentDecode(first))
    }

    /// `[[user]:password@]host[:port][,host[:port]…][/]` — seed nodes; no database path.
    private static func parseCluster(_ rest: Substring, into configuration: inout RedisConfiguration) throws(RedisError) {
        var authority = rest
        if let slash = rest.firstIndex(of: "/") {
            authority = rest[..<slash]
            let path = rest[rest.index(after: slash)...]
            guard path.isEmpty || path == "0" || path == "0/" else {
                throw .invalidURL(
                    "redis+cluster:// takes no path, got '/\(path)': a Redis Cluster has only database 0 and is "
                        + "addressed by its seed nodes, e.g. redis+cluster://host1:7000,host2:7001")
            }
        }
        if let at = authority.lastIndex(of: "@") {
            try parseUserInfo(authority[..<at], into: &configuration)
            authority = authority[authority.index(after: at)...]
        }
        guard !authority.isEmpty else {
            throw .invalidURL("redis+cluster:// needs at least one node host:port, e.g. redis+cluster://host1:7000,host2:7001")
        }
        var seeds: [RedisClusterConfiguration.Endpoint] = []
        for part in authority.split(separator: ",", omittingEmptySubsequences: false) {
            guard !part.isEmpty else {
                throw .invalidURL("empty node address in the redis+cluster:// host list '\(authority)'")
            }
            var parsed = RedisConfiguration(host: "", port: RedisConfiguration.defaultPort)
            try parseHostPort(part, into: &parsed)
            guard !parsed.host.isEmpty else { throw .invalidURL("cluster node address '\(part)' has no host") }
            seeds.append(.init(host: parsed.host, port: parsed.port))
        }
        if let first = seeds.first {
            configuration.host = first.host
            configuration.port = first.port
        }
        configuration.cluster = RedisClusterConfiguration(seeds: seeds)
    }

    private static func parseUnix(_ rest: Substring, into configuration: inout RedisConfiguration) throws(RedisError) {
        var path = rest
        // unix://[[user]:password@]/path — credentials, if any, come before the first slash.
        if let at = rest.firstIndex(of: "@"), !rest[..<at].contains("/") {
            try parseUserInfo(rest[..<at], into: &configuration)
            path = rest[rest.index(after: at)...]
        } else if !rest.hasPrefix("/") {
            // unix://localhost/path (a host part is meaningless for a socket but appears in the wild)
            if let slash = rest.firstIndex(of: "/") { path = rest[slash...] }
        }
        let decoded = try percentDecode(path)
        guard decoded.hasPrefix("/"), decoded.count > 1 else {
            throw .invalidURL("unix socket URL needs an absolute path, e.g. unix:///run/redis/redis.sock")
        }
        configuration.unixSocketPath = decoded
    }

    private static func parseUserInfo(_ userInfo: Substring, into configuration: inout RedisConfiguration) throws(RedisError) {
        if let colon = userInfo.firstIndex(of: ":") {
            let user = try percentDecode(userInfo[..<colon])
            let password = try percentDecode(userInfo[userInfo.index(after: colon)...])
            configuration.username = user.isEmpty ? nil : user
            configuration.password = password
        } else if !userInfo.isEmpty {
            // As redis-py and go-redis: a lone user-info part is the user name.
            configuration.username = try percentDecode(userInfo)
        }
    }

    private static func parseHostPort(_ authority: Substring, into configuration: inout RedisConfiguration) throws(RedisError) {
        var hostPart: Substring
        var portPart: Substring?
        if authority.hasPrefix("[") {
            guard let close = authority.firstIndex(of: "]") else {
                throw .invalidURL("unterminated IPv6 address in '\(authority)'")
            }
            hostPart = authority[authority.index(after: authority.startIndex)..<close]
            let after = authority[authority.index(after: close)...]
            if !after.isEmpty {
                guard after.hasPrefix(":") else { throw .invalidURL("unexpected '\(after)' after IPv6 address") }
                portPart = after.dropFirst()
            }
        } else if let colon = authority.lastIndex(of: ":") {
            hostPart = authority[..<colon]
            portPart = authority[authority.index(after: colon)...]
        } else {
            hostPart = authority
        }
        let host = try percentDecode(hostPart)
        if !host.isEmpty { configuration.host = host }
        if let portPart, !portPart.isEmpty {
            guard let port = Int(portPart), (1...65535).contains(port) else {
                throw .invalidURL("port '\(portPart)' is not a number between 1 and 65535")
            }
            configuration.port = port
        }
    }

    private static func parseDatabase(_ text: String) throws(RedisError) -> Int {
        guard let database = Int(text), database >= 0 else {
            throw .invalidURL("database '\(text)' is not a non-negative integer")
        }
        return database
    }

    private static func applyQuery(_ query: Substring, into configuration: inout RedisConfiguration) throws(RedisError) {
        guard !query.isEmpty else { return }
        for pair in query.split(separator: "&", omittingEmptySubsequences: true) {
            let key: String
            let value: String
            if let equals = pair.firstIndex(of: "=") {
                key = try percentDecode(pair[..<equals]).lowercased()
                value = try percentDecode(pair[pair.index(after: equals)...])
            } else {
                key = try percentDecode(pair).lowercased()
                value = ""
            }
            switch key {
            case "db", "database":
                configuration.database = try parseDatabase(value)
            case "password":
                configuration.password = value
            case "username", "user":
                configuration.username = value.isEmpty ? nil : value
            case "connect_timeout", "connecttimeout", "timeout":
                configuration.connectTimeout = try parseSeconds(value, option: key)
            case "command_timeout", "commandtimeout", "socket_timeout":
                configuration.commandTimeout = try parseSeconds(value, option: key)
            case "client_name", "clientname", "name":
                configuration.clientName = value.isEmpty ? nil : value
            case "ca", "ca_file", "cafile", "ssl_ca_certs", "tls_ca_cert_file":
                try configuration.updateTLS(key) { $0.caFile = value.isEmpty ? nil : value }
            case "ca_dir", "ca_path", "capath", "ssl_ca_path", "tls_ca_cert_dir":
                try configuration.updateTLS(key) { $0.caDirectory = value.isEmpty ? nil : value }
            case "cert", "cert_file", "certfile", "ssl_certfile", "tls_cert_file":
                try configuration.updateTLS(key) { $0.certificateFile = value.isEmpty ? nil : value }
            case "key", "key_file", "keyfile", "ssl_keyfile", "tls_key_file":
                try configuration.updateTLS(key) { $0.keyFile = value.isEmpty ? nil : value }
            case "sni", "server_name", "servername":
                try configuration.updateTLS(key) { $0.serverName = value.isEmpty ? nil : value }
            case "verify", "ssl_cert_reqs":
                guard let mode = tlsVerification(value) else {
                    throw .invalidURL("option '\(key)' must be full, ca or none, got '\(value)'")
                }
                try configuration.updateTLS(key) { $0.verification = mode }
            case "max_redirects", "maxredirects":
                guard let count = Int(value), count >= 0 else {
                    throw .invalidURL("option '\(key)' must be a non-negative integer, got '\(value)'")
                }
                try configuration.updateCluster(key) { $0.maxRedirects = count }
            case "retry_attempts", "retryattempts":
                guard let count = Int(value), count >= 1 else {
                    throw .invalidURL("option '\(key)' must be a positive integer, got '\(value)'")
                }
                try configuration.updateCluster(key) { $0.retryAttempts = count }
            case "retry_base_delay":
                let delay = try parseSeconds(value, option: key)
                try configuration.updateCluster(key) { $0.retryBaseDelay = delay }
            case "retry_max_delay":
                let delay = try parseSeconds(value, option: key)
                try configuration.updateCluster(key) { $0.retryMaxDelay = delay }
            case "sentinel_username", "sentinel_user":
                guard configuration.sentinel != nil else { throw .invalidURL("option '\(key)' needs a redis+sentinel:// URL") }
                configuration.sentinel?.username = value.isEmpty ? nil : value
            case "sentinel_password":
                guard configuration.sentinel != nil else { throw .invalidURL("option '\(key)' needs a redis+sentinel:// URL") }
                configuration.sentinel?.password = value
            default:
                throw .invalidURL(
                    "unknown option '\(key)'; known: db, username, password, connect_timeout, command_timeout, "
                        + "client_name, ca, ca_dir, cert, key, sni, verify, sentinel_username, sentinel_password, "
                        + "max_redirects, retry_attempts, retry_base_delay, retry_max_delay")
            }
        }
    }

    private static func tlsVerification(_ text: String) -> RedisTLSConfiguration.Verification? {
        switch text.lowercased() {
        case "full", "required", "cert_required", "peer", "yes", "true": return .full
        case "ca", "certificate", "certificate_only", "no_hostname": return .certificateOnly
        case "none", "no", "false", "cert_none", "insecure": return RedisTLSConfiguration.Verification.none
        default: return nil
        }
    }

    private static func parseSeconds(_ text: String, option: String) throws(RedisError) -> Duration {
        guard let seconds = Double(text), seconds > 0, seconds.isFinite else {
            throw .invalidURL("option '\(option)' needs a positive number of seconds, got '\(text)'")
        }
        return .milliseconds(Int64((seconds * 1000).rounded()))
    }

    // MARK: - Text helpers

    static func percentDecode<S: StringProtocol>(_ text: S) throws(RedisError) -> String {
        guard text.contains("%") else { return String(text) }
        var bytes: [UInt8] = []
        bytes.reserveCapacity(text.utf8.count)
        var iterator = text.utf8.makeIterator()
        while let byte = iterator.next() {
            guard byte == UInt8(ascii: "%") else {
                bytes.append(byte)
                continue
            }
            guard let high = iterator.next().flatMap(hexValue), let low = iterator.next().flatMap(hexValue) else {
                throw .invalidURL("bad percent-escape in '\(redacted(String(text)))' (a '%' must be written %25)")
            }
            bytes.append(high << 4 | low)
        }
        guard let decoded = String(validating: bytes, as: UTF8.self) else {
            throw .invalidURL("percent-escapes do not decode to UTF-8")
        }
        return decoded
    }

    private static func hexValue(_ byte: UInt8) -> UInt8? {
        switch byte {
        case UInt8(ascii: "0")...UInt8(ascii: "9"): return byte - UInt8(ascii: "0")
        case UInt8(ascii: "a")...UInt8(ascii: "f"): return byte - UInt8(ascii: "a") + 10
        case UInt8(ascii: "A")...UInt8(ascii: "F"): return byte - UInt8(ascii: "A") + 10
        default: return nil
        }
    }

    /// The URL with any password replaced, safe to put into an error message.
    static func redacted(_ url: String) -> String {
        guard let schemeEnd = url.firstRange(of: "://"),
              let at = url[schemeEnd.upperBound...].firstIndex(of: "@"),
              let colon = url[schemeEnd.upperBound..<at].firstIndex(of: ":")
        else { return url }
        return String(url[..<url.index(after: colon)]) + "***" + String(url[at...])
    }
}

extension RedisConfiguration {
    /// Changes the TLS settings; a TLS option in a plain-text URL is an error.
    fileprivate mutating func updateTLS(
        _ option: String, _ change: (inout RedisTLSConfiguration) -> Void
    ) throws(RedisError) {
        guard var settings = tls else {
            throw .invalidURL("option '\(option)' needs TLS: use rediss:// (or rediss+sentinel://)")
        }
        change(&settings)
        tls = settings
    }
}

extension RedisConfiguration {
    /// Changes the cluster settings; a cluster option in a non-cluster URL is an error.
    fileprivate mutating func updateCluster(
        _ option: String, _ change: (inout RedisClusterConfiguration) -> Void
    ) throws(RedisError) {
        guard var settings = cluster else {
            throw .invalidURL("option '\(option)' needs a redis+cluster:// (or rediss+cluster://) URL")
        }
        change(&settings)
        cluster = settings
    }
}

extension String {
    fileprivate func trimmingSpaces() -> String {
        let scalars = unicodeScalars
        guard let first = scalars.firstIndex(where: { !$0.properties.isWhitespace }),
              let last = scalars.lastIndex(where: { !$0.properties.isWhitespace })
        else { return "" }
        return String(scalars[first...last])
    }
}

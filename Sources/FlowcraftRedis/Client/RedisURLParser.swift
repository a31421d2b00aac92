/// Parses `redis://` and `unix://` URLs into a ``RedisConfiguration`` without Foundation.
enum RedisURLParser {
    static func parse(_ url: String, into configuration: inout RedisConfiguration) throws(RedisError) {
        let trimmed = url.trimmingSpaces()
        guard let schemeEnd = trimmed.firstRange(of: "://") else {
            throw .invalidURL("'\(redacted(trimmed))' has no scheme; expected redis://host:port/db or unix:///path")
        }
        let scheme = trimmed[..<schemeEnd.lowerBound].lowercased()
        var rest = Substring(trimmed[schemeEnd.upperBound...])
        // The fragment never carries settings.
        if let hash = rest.firstIndex(of: "#") { rest = rest[..<hash] }
        var query: Substring = ""
        if let question = rest.firstIndex(of: "?") {
            query = rest[rest.index(after: question)...]
            rest = rest[..<question]
        }

        switch scheme {
        case "redis":
            try parseTCP(rest, into: &configuration)
        case "unix", "redis+unix", "redis-socket", "redis+socket":
            try parseUnix(rest, into: &configuration)
        case "rediss", "redis+tls", "valkeys":
            throw .unsupported(
                "TLS (\(scheme)://) is not supported by Debian's hiredis 0.14, which this build links; "
                    + "use redis:// over a trusted network or a unix socket, or terminate TLS in a local proxy")
        default:
            throw .invalidURL("unknown scheme '\(scheme)://'; expected redis://, unix:// or redis+unix://")
        }
        try applyQuery(query, into: &configuration)
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
            default:
                throw .invalidURL("unknown option '\(key)'; known: db, username, password, connect_timeout, command_timeout, client_name")
            }
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
                throw .invalidURL("bad percent-escape in '\(redacted(String(text)))'")
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

extension String {
    fileprivate func trimmingSpaces() -> String {
        let scalars = unicodeScalars
        guard let first = scalars.firstIndex(where: { !$0.properties.isWhitespace }),
              let last = scalars.lastIndex(where: { !$0.properties.isWhitespace })
        else { return "" }
        return String(scalars[first...last])
    }
}

import Logging

/// Finds the current master through Redis Sentinel and connects to it (on a connection thread;
/// every call blocks).
///
/// Asks the sentinels in turn for `SENTINEL get-master-addr-by-name`, connects to the address the
/// first one that knows names, and hands the connection to `setUp`, which authenticates and checks
/// with `ROLE` that the server really is a master (a sentinel can still name the old master during
/// a failover). The first sentinel whose answer leads to a master wins; the error lists what each
/// sentinel said otherwise.
struct SentinelResolver {
    let configuration: RedisConfiguration
    let sentinel: RedisSentinelConfiguration
    let logger: Logger

    func connectToMaster(setUp: (RESPStream) throws(RedisError) -> Void) throws(RedisError) -> RESPStream {
        guard !sentinel.endpoints.isEmpty else {
            throw .connection("no sentinel is configured for master '\(sentinel.masterName)'")
        }
        var problems: [String] = []
        var lastTimeout = false
        for endpoint in sentinel.endpoints {
            let address: RedisAddress
            do {
                address = try masterAddress(from: endpoint)
            } catch {
                problems.append("sentinel \(endpoint): \(error.message)")
                lastTimeout = error.kind == .timeout
                continue
            }
            do {
                let stream = try RESPStream.connect(to: address, configuration: configuration)
                try setUp(stream)
                logger.debug("Sentinel resolved the Redis master", metadata: [
                    "master": "\(sentinel.masterName)", "address": "\(address)", "sentinel": "\(endpoint)",
                ])
                return stream
            } catch {
                // Credentials and TLS problems are the same on every server: report them as they are.
                if error.kind == .tls || (error.kind == .server && error.command == "AUTH") { throw error }
                problems.append("sentinel \(endpoint) named \(address), but \(error.message)")
                lastTimeout = error.kind == .timeout
            }
        }
        let message = "cannot reach the master '\(sentinel.masterName)': " + problems.joined(separator: "; ")
        throw lastTimeout && problems.count == 1 ? .timeout(message) : .connection(message)
    }

    /// One sentinel's answer to `SENTINEL get-master-addr-by-name`.
    func masterAddress(from endpoint: RedisSentinelConfiguration.Endpoint) throws(RedisError) -> RedisAddress {
        let stream = try RESPStream.connect(to: .tcp(host: endpoint.host, port: endpoint.port), configuration: configuration)
        try stream.setTimeout(max(configuration.connectTimeout, .milliseconds(1)))
        var commands: [RedisCommand] = []
        if let password = sentinel.password {
            commands.append(RedisCommand(sentinel.username.map { ["AUTH", $0, password] } ?? ["AUTH", password]))
        }
        commands.append(RedisCommand(["SENTINEL", "get-master-addr-by-name", sentinel.masterName]))
        for command in commands {
            try stream.append(command)
        }
        var replies: [RedisReply] = []
        for _ in commands {
            replies.append(try stream.readReply())
        }
        for (command, reply) in zip(commands, replies) {
            if case .error(let message) = reply {
                throw .server(ConnectionThread.explainSetupError(message), command: command.name)
            }
        }
        guard case .array(let parts) = replies.last, parts.count == 2,
              let host = parts[0].string, let portText = parts[1].string, let port = Int(portText)
        else {
            if case .null = replies.last {
                throw .connection("it does not know a master named '\(sentinel.masterName)'")
            }
            throw .protocol("unexpected reply to SENTINEL get-master-addr-by-name: \(String(describing: replies.last))")
        }
        return .tcp(host: host, port: port)
    }
}

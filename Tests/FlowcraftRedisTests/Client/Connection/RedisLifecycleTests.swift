import FlowcraftRedis
import Testing

/// Behaviour that needs a server of its own: authentication, restarts, script flushes, closing, and
/// a server that never answers.
@Suite("Redis connection lifecycle on private servers", .requiresRedisServerBinary)
struct RedisLifecycleTests {
    @Test func authenticatesWithPasswordAndACLUser() async throws {
        try await PrivateRedisServer.with(arguments: [
            "--requirepass", "open sesame",
            "--user", "alice", "on", ">wonderland", "~*", "&*", "+@all",
        ]) { server in
            // Default user with a password.
            let withPassword = try await RedisConnection.connect(server.configuration(password: "open sesame"))
            #expect(try await withPassword.send(["PING"]) == .status("PONG"))
            await withPassword.close()

            // ACL user and password, also via URL with percent-escapes.
            let viaURL = try await RedisConnection.connect(RedisConfiguration(url: "redis://alice:wonderland@127.0.0.1:\(server.port)/3"))
            #expect(try await viaURL.send(["ACL", "WHOAMI"]).string == "alice")
            let info = try await viaURL.send(["CLIENT", "INFO"]).string ?? ""
            #expect(info.contains(" db=3 "))
            await viaURL.close()

            // A wrong password fails the connect with the server's error, naming AUTH.
            await #expect {
                _ = try await RedisConnection.connect(server.configuration(password: "wrong"))
            } throws: { error in
                guard let error = error as? RedisError else { return false }
                return error.kind == .server && error.command == "AUTH" && error.serverErrorCode == "WRONGPASS"
            }

            // No password: commands are refused with NOAUTH.
            let anonymous = try await RedisConnection.connect(server.configuration())
            await #expect {
                _ = try await anonymous.send(["GET", "x"])
            } throws: { error in
                (error as? RedisError)?.serverErrorCode == "NOAUTH"
            }
            await anonymous.close()
        }
    }

    @Test func connectsOverAUnixSocket() async throws {
        let socketPath = "/tmp/flowcraft-redis-\(UInt32.random(in: 0...UInt32.max)).sock"
        try await PrivateRedisServer.with(arguments: ["--unixsocket", socketPath, "--unixsocketperm", "700"]) { _ in
            let connection = try await RedisConnection.connect(RedisConfiguration(url: "unix://\(socketPath)?db=4"))
            _ = try await connection.send(["SET", "over-unix", "yes"])
            #expect(try await connection.send(["GET", "over-unix"]).string == "yes")
            let info = try await connection.send(["CLIENT", "INFO"]).string ?? ""
            #expect(info.contains(" db=4 "))
            await connection.close()
        }
    }

    @Test func connectFailsClearlyWhenNothingListens() async throws {
        // A port that a just-stopped private server used: nothing listens there any more.
        let port = try await PrivateRedisServer.with { server in server.port }
        await #expect {
            _ = try await RedisConnection.connect(RedisConfiguration(host: "127.0.0.1", port: port))
        } throws: { error in
            guard let error = error as? RedisError else { return false }
            return error.kind == .connection && error.message.contains("127.0.0.1:\(port)")
        }
    }

    @Test func reconnectsAfterRestartAndReappliesAuthAndDatabase() async throws {
        try await PrivateRedisServer.with(arguments: ["--requirepass", "pw"]) { server in
            let client = RedisClient(configuration: server.configuration(password: "pw", database: 2), poolSize: 2)
            _ = try await client.send(["SET", "before", "1"])

            // A blocking command in flight when the server goes away fails with a connection error.
            let blocking = try await client.dedicatedConnection()
            var named = server.configuration(password: "pw", database: 2)
            named.clientName = "blocked-reader"
            let observer = try await RedisConnection.connect(named)
            let reader = try await RedisConnection.connect(named)
            let inFlight = Task { try await reader.send(RedisCommand(["BLPOP", "nothing", "30"]), timeout: .seconds(60)) }
            try await TestRedis.waitUntilBlocked(clientName: "blocked-reader", command: "blpop", observer: observer)

            try await server.restart()

            await #expect {
                _ = try await inFlight.value
            } throws: { error in
                (error as? RedisError)?.kind == .connection
            }

            // Later commands succeed once Redis is back, on the same client objects.
            let reply = try await Self.eventually { try await client.send(["SET", "after", "2"]) }
            #expect(reply == .status("OK"))
            let clientInfo = try await Self.eventually { try await client.send(["CLIENT", "INFO"]) }
            #expect(clientInfo.string?.contains(" db=2 ") == true)
            #expect(try await Self.eventually { try await blocking.send(["PING"]) } == .status("PONG"))
            #expect(try await Self.eventually { try await reader.send(["GET", "after"]) } == .bulk(Array("2".utf8)))

            await blocking.close()
            await reader.close()
            await observer.close()
            await client.close()
        }
    }

    @Test func idleConnectionReconnectsTransparentlyAfterRestart() async throws {
        try await PrivateRedisServer.with(arguments: ["--requirepass", "pw"]) { server in
            let connection = try await RedisConnection.connect(server.configuration(password: "pw", database: 1))
            #expect(try await connection.send(["PING"]) == .status("PONG"))
            try await server.restart()
            // Idle for longer than the connection's idle check: the closed socket is noticed before
            // the next write, so the command runs on a fresh (authenticated, db 1) connection.
            try await Task.sleep(for: .milliseconds(700))
            #expect(try await connection.send(["SET", "k", "v"]) == .status("OK"))
            #expect((try await connection.send(["CLIENT", "INFO"])).string?.contains(" db=1 ") == true)
            await connection.close()
        }
    }

    @Test func evalShaFallsBackAfterScriptFlushAndPreloadSurvivesRestart() async throws {
        try await PrivateRedisServer.with { server in
            let client = RedisClient(configuration: server.configuration(), poolSize: 1)
            let script = RedisScript(name: "double", source: "return tonumber(ARGV[1]) * 2")
            try await client.preload([script])
            #expect(try await client.send(["SCRIPT", "EXISTS", script.sha1]) == .array([.integer(1)]))
            #expect(try await client.evalScript(script, keys: [], arguments: ["21"]) == .integer(42))

            _ = try await client.send(["SCRIPT", "FLUSH"])
            #expect(try await client.send(["SCRIPT", "EXISTS", script.sha1]) == .array([.integer(0)]))
            // Single call and pipelined call both fall back to EVAL transparently.
            #expect(try await client.evalScript(script, keys: [], arguments: ["5"]) == .integer(10))
            _ = try await client.send(["SCRIPT", "FLUSH"])
            let replies = try await client.pipeline([
                script.evalSHACommand(keys: [], arguments: ["1"]),
                RedisCommand(["PING"]),
                script.evalSHACommand(keys: [], arguments: ["2"]),
            ])
            #expect(replies == [.integer(2), .status("PONG"), .integer(4)])

            // After a restart (scripts gone), the reconnect loads preloaded scripts again.
            try await server.restart()
            _ = try await Self.eventually { try await client.send(["PING"]) }
            #expect(try await client.send(["SCRIPT", "EXISTS", script.sha1]) == .array([.integer(1)]))
            await client.close()
        }
    }

    @Test func closeFailsPendingCommandsAndIsIdempotent() async throws {
        try await PrivateRedisServer.with { server in
            var configuration = server.configuration()
            configuration.clientName = "to-be-closed"
            let connection = try await RedisConnection.connect(configuration)
            let observer = try await RedisConnection.connect(server.configuration())

            let blocked = Task { try await connection.send(RedisCommand(["BLPOP", "never", "0"]), timeout: .zero) }
            try await TestRedis.waitUntilBlocked(clientName: "to-be-closed", command: "blpop", observer: observer)
            // Queued behind the blocking command: not sent yet.
            let queued = Task { try await connection.send(["PING"]) }
            try await Task.sleep(for: .milliseconds(20))

            await connection.close()
            #expect(connection.isClosed)
            await #expect { _ = try await blocked.value } throws: { ($0 as? RedisError)?.kind == .closed }
            await #expect { _ = try await queued.value } throws: { ($0 as? RedisError)?.kind == .closed }
            await #expect { _ = try await connection.send(["PING"]) } throws: { ($0 as? RedisError)?.kind == .closed }
            await connection.close()

            // The server saw the connection go away.
            let clients = try await observer.send(["CLIENT", "LIST"]).string ?? ""
            #expect(!clients.contains("name=to-be-closed "))
            await observer.close()
        }
    }

    @Test func commandTimeoutAgainstAHungServer() async throws {
        let silent = try SilentServer()
        var configuration = RedisConfiguration(host: "127.0.0.1", port: silent.port)
        configuration.commandTimeout = .milliseconds(200)
        let connection = try await RedisConnection.connect(configuration)
        await #expect {
            _ = try await connection.send(["PING"])
        } throws: { error in
            guard let error = error as? RedisError else { return false }
            return error.kind == .timeout && error.command == "PING"
        }
        // The connection was dropped; the next command reconnects and times out again rather than hanging.
        await #expect {
            _ = try await connection.send(["GET", "k"])
        } throws: { error in
            (error as? RedisError)?.kind == .timeout
        }
        await connection.close()
    }

    @Test func timeoutDropsTheConnectionAndTheNextCommandSucceeds() async throws {
        try await PrivateRedisServer.with { server in
            var configuration = server.configuration()
            configuration.commandTimeout = .milliseconds(200)
            let connection = try await RedisConnection.connect(configuration)
            // BLPOP with the normal (short) timeout: the client gives up first.
            await #expect {
                _ = try await connection.send(["BLPOP", "empty", "5"])
            } throws: { error in
                (error as? RedisError)?.kind == .timeout
            }
            #expect(try await connection.send(["PING"]) == .status("PONG"))
            await connection.close()
        }
    }

    /// Retries `operation` while it fails with a transient error (the server is coming back).
    private static func eventually(_ operation: () async throws -> RedisReply) async throws -> RedisReply {
        var lastError: (any Error)?
        for _ in 0..<200 {
            do {
                return try await operation()
            } catch let error as RedisError where error.isTransient {
                lastError = error
                try await Task.sleep(for: .milliseconds(25))
            }
        }
        throw lastError ?? RedisError.timeout("gave up")
    }
}

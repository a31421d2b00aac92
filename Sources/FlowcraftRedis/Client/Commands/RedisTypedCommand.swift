/// A Redis command with a typed reply: its arguments by name, and how its reply decodes into a Swift
/// value. The engine and the queue send these instead of spelling argument arrays at each call site;
/// each command the code sends is one small struct in this folder (named like the Redis command).
///
/// Run one with ``RedisClient/execute(_:)-(Command)``, several in one round trip with
/// ``RedisClient/execute(_:)-(repeat each Command)`` (a tuple of results, one per command, in order).
/// Lua scripts have their own typed calls (``LuaScriptCall``) run with `evalScript`.
protocol RedisTypedCommand: Sendable {
    /// The decoded reply.
    associatedtype Response: Sendable

    /// The command as sent (its name and arguments, encoded once).
    var encoded: RedisCommand { get }

    /// Decodes the command's reply. Never sees an error reply: those are thrown (or returned as a
    /// failure in a pipeline) before decoding. Throws ``RedisError/Kind/protocol`` for a reply of the
    /// wrong type.
    func decode(_ reply: RedisReply) throws(RedisError) -> Response
}

extension RedisTypedCommand {
    /// The error for a reply this command cannot decode.
    func unexpected(_ reply: RedisReply) -> RedisError {
        .protocol("unexpected reply \(reply)", command: encoded.name)
    }

    /// The reply decoded, or an error reply as a ``RedisError/Kind/server`` failure naming the command.
    func result(of reply: RedisReply) -> Result<Response, RedisError> {
        if let message = reply.errorMessage { return .failure(.server(message, command: encoded.name)) }
        do throws(RedisError) {
            return .success(try decode(reply))
        } catch {
            return .failure(error)
        }
    }
}

extension RedisClient {
    /// Sends `command` and decodes its reply; an error reply throws ``RedisError/Kind/server``.
    func execute<Command: RedisTypedCommand>(_ command: Command) async throws(RedisError) -> Command.Response {
        try command.decode(try await send(command.encoded))
    }

    /// Sends the commands in one round trip on one connection and returns each one's result, in
    /// order: an error reply is that command's ``RedisError/Kind/server`` failure, not thrown.
    func execute<each Command: RedisTypedCommand>(
        _ commands: repeat each Command
    ) async throws(RedisError) -> (repeat Result<(each Command).Response, RedisError>) {
        var encoded: [RedisCommand] = []
        for command in repeat each commands { encoded.append(command.encoded) }
        let replies = try await pipeline(encoded)
        var index = 0
        func next<C: RedisTypedCommand>(_ command: C) -> Result<C.Response, RedisError> {
            defer { index += 1 }
            guard index < replies.count else { return .failure(.protocol("missing reply", command: command.encoded.name)) }
            return command.result(of: replies[index])
        }
        return (repeat next(each commands))
    }

    /// Sends commands of one kind in one round trip and returns each one's result, in order.
    func execute<Command: RedisTypedCommand>(_ commands: [Command]) async throws(RedisError) -> [Result<Command.Response, RedisError>] {
        let replies = try await pipeline(commands.map(\.encoded))
        return zip(commands, replies).map { command, reply in command.result(of: reply) }
    }
}

extension RedisConnection {
    /// Sends `command` and decodes its reply (see ``send(_:timeout:)-(RedisCommand,_)`` for `timeout`,
    /// which blocking commands need).
    func execute<Command: RedisTypedCommand>(
        _ command: Command, timeout: Duration? = nil
    ) async throws(RedisError) -> Command.Response {
        try command.decode(try await send(command.encoded, timeout: timeout))
    }
}

extension Result where Failure == RedisError {
    /// The value; a server error reply is thrown naming `operation` (what the caller was doing, as
    /// in `Redis error reply (cancel): …`) instead of the command.
    func get(as operation: String) throws(RedisError) -> Success {
        switch self {
        case .success(let value): return value
        case .failure(let error): throw error.kind == .server ? .server(error.message, command: operation) : error
        }
    }
}

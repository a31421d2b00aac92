/// A Lua script run with `EVALSHA` (falling back to `EVAL` when the server does not know it yet).
///
/// The SHA-1 is computed locally at creation, so the first call can already use `EVALSHA`.
public struct RedisScript: Sendable, Hashable {
    /// A name for logs and errors (e.g. `moveToFinished`).
    public let name: String
    /// The Lua source.
    public let source: String
    /// The lowercase hexadecimal SHA-1 of ``source``, as `SCRIPT LOAD` returns it.
    public let sha1: String

    /// A script named `name` (in errors and logs) with Lua text `source`; its SHA-1 is computed once.
    public init(name: String, source: String) {
        self.name = name
        self.source = source
        self.sha1 = SHA1.hexDigest(source.utf8)
    }

    /// The `EVALSHA sha numkeys keys… args…` command for this script, for use in a pipeline.
    /// ``RedisConnection/pipeline(_:)-(RedisCommand)`` retries such commands with `EVAL` when the
    /// server answers `NOSCRIPT`.
    public func evalSHACommand(keys: [String], arguments: [String]) -> RedisCommand {
        var command = RedisCommand(capacity: 3 + keys.count + arguments.count)
        command.append("EVALSHA")
        command.append(sha1)
        command.append(keys.count)
        for key in keys { command.append(key) }
        for argument in arguments { command.append(argument) }
        command.script = self
        return command
    }

    /// ``evalSHACommand(keys:arguments:)`` with binary arguments.
    public func evalSHACommand(keys: [String], binaryArguments arguments: [[UInt8]]) -> RedisCommand {
        var command = RedisCommand(capacity: 3 + keys.count + arguments.count)
        command.append("EVALSHA")
        command.append(sha1)
        command.append(keys.count)
        for key in keys { command.append(key) }
        for argument in arguments { command.append(bytes: argument) }
        command.script = self
        return command
    }
}

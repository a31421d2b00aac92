/// The KEYS and ARGV of one call of a Lua script, filled by name: the one place that knows the
/// positional contract of its script (which the `---` header of the script's `.lua` file documents
/// in the same order). A test loads each script and checks that the names match what it reads.
protocol LuaScriptCall: Sendable {
    /// The script's KEYS, in order (for a script taking a variable number, the fixed ones).
    static var keyNames: [String] { get }
    /// The script's ARGV, in order (for a script taking a variable number, the fixed ones).
    static var argumentNames: [String] { get }
    /// The keys, in the order of ``keyNames``.
    var keys: [String] { get }
    /// The arguments, in the order of ``argumentNames`` (then any variable part).
    var arguments: [String] { get }
}

extension RedisClient {
    /// Runs `script` with `call`'s keys and arguments.
    func evalScript(_ script: RedisScript, _ call: some LuaScriptCall) async throws(RedisError) -> RedisReply {
        try await evalScript(script, keys: call.keys, arguments: call.arguments)
    }
}

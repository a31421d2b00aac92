/// The `SCRIPT` subcommands.
enum SCRIPT {
    /// `SCRIPT LOAD source`: caches a script on the server; its SHA-1.
    struct LOAD: RedisTypedCommand {
        var script: RedisScript

        var encoded: RedisCommand { RedisCommand(["SCRIPT", "LOAD", script.source]) }

        func decode(_ reply: RedisReply) throws(RedisError) -> String {
            guard let sha1 = reply.string else { throw unexpected(reply) }
            return sha1
        }
    }
}

/// `EVALSHA sha1 numkeys key… arg…` for a ``RedisScript`` (re-sent as `EVAL` when the server answers
/// `NOSCRIPT`). The reply is the script's own, undecoded: each script's typed call reads it.
struct EVALSHA: RedisTypedCommand {
    var script: RedisScript
    var keys: [String]
    var arguments: [String]

    init(_ script: RedisScript, _ call: some LuaScriptCall) {
        self.script = script
        keys = call.keys
        arguments = call.arguments
    }

    var encoded: RedisCommand { script.evalSHACommand(keys: keys, arguments: arguments) }

    func decode(_ reply: RedisReply) throws(RedisError) -> RedisReply { reply }
}

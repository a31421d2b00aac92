import Flowcraft

/// Builds the text of a Lua script from the `.lua` files in `Sources/FlowcraftRedis/Lua` (embedded at
/// build time by FlowcraftLuaPlugin as ``LuaSourceFiles``).
///
/// Redis has no shared Lua state between scripts, so shared pieces are copied into each script that
/// needs them, by three directives, each on a line of its own:
/// - `--@include "file.lua"`: the line is replaced by that file, itself assembled (includes nest;
///   a file including itself, directly or not, is an error).
/// - `--@slot name`: the line is replaced by text the caller supplies (how a ``FinishStep``'s Lua is
///   built into the finish script). A slot the caller does not fill is an error.
/// - `{{NAME}}` anywhere in a line: a constant shared with the Swift side (``LuaConstants``), so that
///   a value the engine and the scripts must agree on has one definition.
///
/// Lines starting with `---` are documentation (the KEYS/ARGV contract at the top of each script):
/// they are left out of the assembled text, so they cost nothing and editing them keeps the SHA.
/// Scripts include only the helpers they call: every `local function` is a closure created anew by
/// each call, which costs on the hot path.
enum LuaScriptAssembler {
    /// The assembled text of `file`, with `slots` filled.
    static func source(
        _ file: String, slots: [String: String] = [:], files: [String: String] = LuaSourceFiles.byName
    ) throws(LuaAssemblyError) -> String {
        var output = ""
        try append(file, slots: slots, files: files, including: [], to: &output)
        return output
    }

    /// ``RedisScript`` named `name` from `file`. Each script is assembled once, when first used, and a
    /// test assembles every one; should assembly fail anyway, the script is one that answers every
    /// call with an error reply naming the problem (no crash at start-up).
    static func script(name: String, file: String, slots: [String: String] = [:]) -> RedisScript {
        do {
            return RedisScript(name: name, source: try source(file, slots: slots))
        } catch {
            return failingScript(name: name, error)
        }
    }

    /// A script named `name` that answers every call with an error reply naming `error`.
    static func failingScript(name: String, _ error: LuaAssemblyError) -> RedisScript {
        RedisScript(
            name: name,
            source: "return redis.error_reply(\(luaLiteral("ERR flowcraft \(name): cannot assemble the script: \(error)")))\n")
    }

    private static func append(
        _ file: String, slots: [String: String], files: [String: String], including chain: [String],
        to output: inout String
    ) throws(LuaAssemblyError) {
        if chain.contains(file) { throw .includeCycle(chain + [file]) }
        guard let text = files[file] else { throw .missingFile(file, includedFrom: chain.last) }
        var lines = text.split(separator: "\n", omittingEmptySubsequences: false)
        // The text after the last line break is the (usually empty) last line.
        let last = lines.removeLast()
        for line in lines {
            try appendLine(line, lineBreak: true, file: file, slots: slots, files: files, chain: chain, to: &output)
        }
        if !last.isEmpty {
            try appendLine(last, lineBreak: false, file: file, slots: slots, files: files, chain: chain, to: &output)
        }
    }

    private static func appendLine(
        _ line: Substring, lineBreak: Bool, file: String, slots: [String: String], files: [String: String],
        chain: [String], to output: inout String
    ) throws(LuaAssemblyError) {
        if line.hasPrefix("---") { return }
        if line.hasPrefix("--@include ") {
            let argument = line.dropFirst("--@include ".count).trimmingSpaces()
            guard argument.count >= 2, argument.hasPrefix("\""), argument.hasSuffix("\"") else {
                throw .badDirective(String(line), file: file)
            }
            try append(String(argument.dropFirst().dropLast()), slots: slots, files: files, including: chain + [file], to: &output)
            return
        }
        if line.hasPrefix("--@slot ") {
            let name = String(line.dropFirst("--@slot ".count).trimmingSpaces())
            guard let text = slots[name] else { throw .unfilledSlot(name, file: file) }
            output += text
            if !text.isEmpty && !text.hasSuffix("\n") { output += "\n" }
            return
        }
        if line.hasPrefix("--@") { throw .badDirective(String(line), file: file) }
        output += try LuaConstants.substitute(in: line, file: file)
        if lineBreak { output += "\n" }
    }

    /// `text` as a Lua string literal.
    static func luaLiteral(_ text: String) -> String {
        var literal = "\""
        for character in text.unicodeScalars {
            switch character {
            case "\\": literal += "\\\\"
            case "\"": literal += "\\\""
            case "\n": literal += "\\n"
            default: literal.unicodeScalars.append(character)
            }
        }
        return literal + "\""
    }
}

/// Why a script could not be assembled (a fault in the `.lua` files, found by the scripts' tests).
enum LuaAssemblyError: Error, Equatable, CustomStringConvertible {
    case missingFile(String, includedFrom: String?)
    case includeCycle([String])
    case unfilledSlot(String, file: String)
    case unknownConstant(String, file: String)
    case badDirective(String, file: String)

    var description: String {
        switch self {
        case .missingFile(let file, let parent):
            "no Lua file \(file)" + (parent.map { " (included from \($0))" } ?? "")
        case .includeCycle(let chain): "include cycle: " + chain.joined(separator: " → ")
        case .unfilledSlot(let name, let file): "slot '\(name)' of \(file) is not filled"
        case .unknownConstant(let name, let file): "unknown constant {{\(name)}} in \(file)"
        case .badDirective(let line, let file): "malformed directive in \(file): \(line)"
        }
    }
}

extension Substring {
    fileprivate func trimmingSpaces() -> Substring {
        var text = self
        while text.first == " " || text.first == "\t" { text.removeFirst() }
        while text.last == " " || text.last == "\t" || text.last == "\r" { text.removeLast() }
        return text
    }
}

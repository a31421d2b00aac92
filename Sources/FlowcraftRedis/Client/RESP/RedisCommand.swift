/// One Redis command, its arguments already encoded into a single contiguous byte buffer.
///
/// Encoding happens on the caller's task; the connection thread only hands pointers into this buffer
/// to `redisAppendCommandArgv`, so no per-argument allocation happens on the hot path.
public struct RedisCommand: Sendable, Hashable {
    /// All argument bytes back to back.
    private(set) var storage: [UInt8]
    /// Length of each argument in ``storage``.
    private(set) var lengths: [Int]
    /// Set for `EVALSHA` commands built by ``RedisScript``: lets pipelines fall back to `EVAL`.
    var script: RedisScript?
    /// Name used in errors instead of the first argument (script fallbacks).
    var displayName: String?

    /// An empty command with room for `capacity` arguments; add them with `append`.
    public init(capacity: Int = 4) {
        storage = []
        storage.reserveCapacity(capacity * 16)
        lengths = []
        lengths.reserveCapacity(capacity)
        script = nil
        displayName = nil
    }

    /// A command from text arguments, e.g. `RedisCommand(["SET", "key", "value"])`.
    public init(_ arguments: [String]) {
        self.init(capacity: arguments.count)
        for argument in arguments { append(argument) }
    }

    /// A command from binary arguments.
    public init(bytes arguments: [[UInt8]]) {
        self.init(capacity: arguments.count)
        for argument in arguments { append(bytes: argument) }
    }

    /// Appends a text argument (its UTF-8 bytes).
    public mutating func append(_ argument: String) {
        let before = storage.count
        storage.append(contentsOf: argument.utf8)
        lengths.append(storage.count - before)
    }

    /// Appends an integer argument in decimal.
    public mutating func append(_ argument: Int) {
        append(String(argument))
    }

    /// Appends a binary argument.
    public mutating func append(bytes argument: some Sequence<UInt8>) {
        let before = storage.count
        storage.append(contentsOf: argument)
        lengths.append(storage.count - before)
    }

    /// Number of arguments, the command name included.
    public var argumentCount: Int { lengths.count }

    /// The arguments as byte arrays (for inspection and tests; not used on the hot path).
    public var arguments: [[UInt8]] {
        var result: [[UInt8]] = []
        result.reserveCapacity(lengths.count)
        var offset = 0
        for length in lengths {
            result.append(Array(storage[offset..<offset + length]))
            offset += length
        }
        return result
    }

    /// The command name (first argument) upper-cased, for error messages; the script name for
    /// script calls.
    public var name: String {
        if let displayName { return displayName }
        if let script { return "EVALSHA \(script.name)" }
        guard let first = lengths.first else { return "(empty command)" }
        return String(decoding: storage[0..<first], as: UTF8.self).uppercased()
    }

    /// This `EVALSHA` command rewritten as `EVAL <source> …` (same keys and arguments).
    func evalFallback() -> RedisCommand? {
        guard let script, lengths.count >= 2 else { return nil }
        var command = RedisCommand(capacity: lengths.count)
        command.append("EVAL")
        command.append(script.source)
        command.displayName = "EVAL \(script.name)"
        let skip = lengths[0] + lengths[1]
        var offset = skip
        for length in lengths.dropFirst(2) {
            command.append(bytes: storage[offset..<offset + length])
            offset += length
        }
        return command
    }
}

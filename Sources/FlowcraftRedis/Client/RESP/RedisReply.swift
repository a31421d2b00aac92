/// One reply from Redis (RESP2), converted from hiredis' reply tree into a Swift value.
///
/// Server error replies appear as ``RedisReply/error(_:)`` only inside pipelines and script
/// results; ``RedisConnection/send(_:)-(RedisCommand)`` throws ``RedisError`` for them instead.
public enum RedisReply: Sendable, Hashable {
    /// A status reply such as `+OK` or `+PONG`.
    case status(String)
    /// An error reply such as `-WRONGTYPE …` (the text without the leading `-`).
    case error(String)
    /// An integer reply.
    case integer(Int)
    /// A binary-safe bulk string.
    case bulk([UInt8])
    /// A nil bulk string or nil array.
    case null
    /// An array reply (nested replies are converted too).
    case array([RedisReply])
}

extension RedisReply {
    /// The reply as text: a bulk string decoded as UTF-8 (invalid sequences repaired), a status,
    /// or an integer's decimal form. `nil` for null, arrays and errors.
    public var string: String? {
        switch self {
        case .bulk(let bytes): return String(decoding: bytes, as: UTF8.self)
        case .status(let text): return text
        case .integer(let value): return String(value)
        case .error, .null, .array: return nil
        }
    }

    /// The reply as an integer: an integer reply, or a bulk/status string holding a decimal integer.
    public var int: Int? {
        switch self {
        case .integer(let value): return value
        case .bulk(let bytes): return Self.parseInteger(bytes)
        case .status(let text): return Int(text)
        case .error, .null, .array: return nil
        }
    }

    /// The reply as a floating-point number (integers and numeric strings such as ZSCORE replies).
    public var double: Double? {
        switch self {
        case .integer(let value): return Double(value)
        case .bulk, .status: return string.flatMap { Double($0) }
        case .error, .null, .array: return nil
        }
    }

    /// The raw bytes of a bulk or status reply.
    public var bytes: [UInt8]? {
        switch self {
        case .bulk(let bytes): return bytes
        case .status(let text): return Array(text.utf8)
        case .error, .integer, .null, .array: return nil
        }
    }

    /// The elements of an array reply.
    public var array: [RedisReply]? {
        if case .array(let elements) = self { return elements }
        return nil
    }

    /// Whether this is a nil bulk string or nil array.
    public var isNull: Bool {
        if case .null = self { return true }
        return false
    }

    /// The error text when this is an error reply.
    public var errorMessage: String? {
        if case .error(let message) = self { return message }
        return nil
    }

    /// Array replies of alternating field/value pairs (HGETALL, CONFIG GET, XRANGE entries)
    /// as a dictionary keyed by the field text. `nil` for anything but an even-sized array.
    public var keyValuePairs: [String: RedisReply]? {
        guard case .array(let elements) = self, elements.count % 2 == 0 else { return nil }
        var result: [String: RedisReply] = [:]
        result.reserveCapacity(elements.count / 2)
        var index = 0
        while index < elements.count {
            guard let key = elements[index].string else { return nil }
            result[key] = elements[index + 1]
            index += 2
        }
        return result
    }

    private static func parseInteger(_ bytes: [UInt8]) -> Int? {
        // Avoids building a String for the common case of counters stored as bulk strings.
        guard !bytes.isEmpty, bytes.count <= 20 else { return nil }
        var index = 0
        var negative = false
        if bytes[0] == UInt8(ascii: "-") {
            negative = true
            index = 1
            guard bytes.count > 1 else { return nil }
        }
        var value = 0
        while index < bytes.count {
            let digit = Int(bytes[index]) - 48
            guard digit >= 0, digit <= 9 else { return nil }
            let (shifted, overflow1) = value.multipliedReportingOverflow(by: 10)
            let (next, overflow2) = negative
                ? shifted.subtractingReportingOverflow(digit) : shifted.addingReportingOverflow(digit)
            guard !overflow1, !overflow2 else { return nil }
            value = next
            index += 1
        }
        return value
    }
}

extension RedisReply: CustomStringConvertible {
    public var description: String {
        switch self {
        case .status(let text): return text
        case .error(let text): return "(error) \(text)"
        case .integer(let value): return "(integer) \(value)"
        case .bulk(let bytes): return "\"\(String(decoding: bytes.prefix(200), as: UTF8.self))\(bytes.count > 200 ? "…" : "")\""
        case .null: return "(nil)"
        case .array(let elements): return "[" + elements.map(\.description).joined(separator: ", ") + "]"
        }
    }
}

import FlowcraftModel

/// Durations in blueprints: `250ms`, `5s`, `2m`, `1h` (decimals allowed: `1.5s`), or plain numbers
/// meaning milliseconds. The model stores whole milliseconds, below ``DurationLimit``.
package enum DurationParser {
    static var limit: Int { DurationLimit.milliseconds }

    /// Milliseconds denoted by `text`, or `nil` when it is not a duration (negative ones included).
    package static func milliseconds(_ text: String) -> Int? {
        var body = Substring(text.trimmingSpaces)
        let scale: Double
        if body.hasSuffix("ms") {
            scale = 1
            body = body.dropLast(2)
        } else if body.hasSuffix("s") {
            scale = 1000
            body = body.dropLast()
        } else if body.hasSuffix("m") {
            scale = 60_000
            body = body.dropLast()
        } else if body.hasSuffix("h") {
            scale = 3_600_000
            body = body.dropLast()
        } else {
            scale = 1
        }
        body = Substring(String(body).trimmingSpaces)
        guard !body.isEmpty,
            body.utf8.allSatisfy({ ($0 >= UInt8(ascii: "0") && $0 <= UInt8(ascii: "9")) || $0 == UInt8(ascii: ".") }),
            body.utf8.filter({ $0 == UInt8(ascii: ".") }).count <= 1,
            body.utf8.contains(where: { $0 != UInt8(ascii: ".") }),
            let number = Double(body.hasPrefix(".") ? "0" + body : String(body))
        else { return nil }
        return milliseconds(number * scale)
    }

    /// Milliseconds for a JSON value: a non-negative number, or a duration string.
    package static func milliseconds(_ value: JSONValue) -> Int? {
        switch value {
        case .int(let i): return i >= 0 && i < limit ? i : nil
        case .double(let d): return milliseconds(d)
        case .string(let s): return milliseconds(s)
        default: return nil
        }
    }

    private static func milliseconds(_ value: Double) -> Int? {
        guard value.isFinite, value >= 0, value < Double(limit) else { return nil }
        return Int(value.rounded())
    }
}

extension String {
    /// The string without leading and trailing spaces and tabs (Foundation-free).
    var trimmingSpaces: String {
        let scalars = unicodeScalars
        guard let first = scalars.firstIndex(where: { $0 != " " && $0 != "\t" }),
            let last = scalars.lastIndex(where: { $0 != " " && $0 != "\t" })
        else { return "" }
        return String(scalars[first...last])
    }
}

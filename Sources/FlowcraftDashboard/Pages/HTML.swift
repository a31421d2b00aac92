import Foundation

/// Escaping and small formatting helpers for the pages.
enum HTML {
    /// Escapes text for HTML content and double-quoted attributes.
    static func escape(_ text: String) -> String {
        var out = ""
        out.reserveCapacity(text.utf8.count)
        for character in text.unicodeScalars {
            switch character {
            case "&": out += "&amp;"
            case "<": out += "&lt;"
            case ">": out += "&gt;"
            case "\"": out += "&quot;"
            case "'": out += "&#39;"
            default: out.unicodeScalars.append(character)
            }
        }
        return out
    }

    /// Percent-encodes a path segment or query value.
    static func component(_ text: String) -> String {
        var allowed = CharacterSet.alphanumerics
        allowed.insert(charactersIn: "-._~")
        return text.addingPercentEncoding(withAllowedCharacters: allowed) ?? text
    }

    /// `2026-12-03 21:46:20` (UTC) for a time in ms since the Unix epoch.
    static func time(_ milliseconds: Int64) -> String {
        let date = Date(timeIntervalSince1970: Double(milliseconds) / 1000)
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = TimeZone(identifier: "UTC") ?? calendar.timeZone
        let c = calendar.dateComponents([.year, .month, .day, .hour, .minute, .second], from: date)
        func two(_ v: Int?) -> String { let v = v ?? 0; return v < 10 ? "0\(v)" : "\(v)" }
        return "\(c.year ?? 0)-\(two(c.month))-\(two(c.day)) \(two(c.hour)):\(two(c.minute)):\(two(c.second))"
    }

    /// `850 ms`, `12.4 s`, `3 min 5 s`.
    static func duration(_ milliseconds: Int64?) -> String {
        guard let ms = milliseconds else { return "—" }
        if ms < 1000 { return "\(ms) ms" }
        if ms < 60_000 { return "\(Double(ms / 100) / 10) s" }
        return "\(ms / 60_000) min \(ms % 60_000 / 1000) s"
    }
}

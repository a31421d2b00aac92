import FlowcraftModel

/// YAML 1.2 core-schema resolution of scalars: plain untagged text becomes null, a boolean, an
/// integer or a float when it spells one; quoted and block scalars are always strings; the explicit
/// tags `!!str`, `!!int`, `!!float`, `!!bool`, `!!null` are honoured.
extension YAMLScalar {
    static let tagPrefix = "tag:yaml.org,2002:"

    /// The JSON value this scalar denotes.
    package var resolved: JSONValue {
        if let tag {
            switch tag {
            case Self.tagPrefix + "str": return .string(value)
            case Self.tagPrefix + "null": return .null
            case Self.tagPrefix + "bool": return YAMLCoreSchema.bool(value).map(JSONValue.bool) ?? .string(value)
            case Self.tagPrefix + "int": return YAMLCoreSchema.int(value) ?? .string(value)
            case Self.tagPrefix + "float":
                if let n = YAMLCoreSchema.number(value) { return .double(n.doubleValue ?? 0) }
                return .string(value)
            default: return .string(value)
            }
        }
        guard style == .plain else { return .string(value) }
        return YAMLCoreSchema.resolvePlain(value)
    }
}

/// The core schema's regular expressions, hand-written over UTF-8 bytes (no Foundation, no regex
/// engine: scalar resolution runs for every value of a large blueprint).
enum YAMLCoreSchema {
    static func resolvePlain(_ text: String) -> JSONValue {
        guard let first = text.utf8.first else { return .null }
        // Fast exit: everything the schema recognises starts with one of these bytes.
        switch first {
        case UInt8(ascii: "0")...UInt8(ascii: "9"), UInt8(ascii: "-"), UInt8(ascii: "+"), UInt8(ascii: "."):
            return number(text) ?? .string(text)
        case UInt8(ascii: "n"), UInt8(ascii: "N"), UInt8(ascii: "~"):
            if isNull(text) { return .null }
        case UInt8(ascii: "t"), UInt8(ascii: "T"), UInt8(ascii: "f"), UInt8(ascii: "F"):
            if let b = bool(text) { return .bool(b) }
        default:
            break
        }
        return .string(text)
    }

    static func isNull(_ text: String) -> Bool {
        text == "null" || text == "Null" || text == "NULL" || text == "~" || text.isEmpty
    }

    static func bool(_ text: String) -> Bool? {
        switch text {
        case "true", "True", "TRUE": return true
        case "false", "False", "FALSE": return false
        default: return nil
        }
    }

    /// An integer (decimal, `0o` octal, `0x` hex) only.
    static func int(_ text: String) -> JSONValue? {
        guard let n = number(text), case .int = n else { return nil }
        return n
    }

    /// An integer or a float, or `nil` when the text is not a core-schema number.
    static func number(_ text: String) -> JSONValue? {
        var bytes = Array(text.utf8)
        guard !bytes.isEmpty else { return nil }
        switch text {
        case ".inf", ".Inf", ".INF", "+.inf", "+.Inf", "+.INF": return .double(.infinity)
        case "-.inf", "-.Inf", "-.INF": return .double(-.infinity)
        case ".nan", ".NaN", ".NAN": return .double(.nan)
        default: break
        }
        if bytes.count > 2, bytes[0] == UInt8(ascii: "0") {
            if bytes[1] == UInt8(ascii: "x") { return radix(bytes[2...], 16) }
            if bytes[1] == UInt8(ascii: "o") { return radix(bytes[2...], 8) }
        }
        // [-+]? ( \.[0-9]+ | [0-9]+ ( \.[0-9]* )? ) ( [eE] [-+]? [0-9]+ )?
        var i = 0
        if bytes[i] == UInt8(ascii: "-") || bytes[i] == UInt8(ascii: "+") { i += 1 }
        let intStart = i
        while i < bytes.count, isDigit(bytes[i]) { i += 1 }
        let intDigits = i - intStart
        var isFloat = false
        if i < bytes.count, bytes[i] == UInt8(ascii: ".") {
            isFloat = true
            i += 1
            let fracStart = i
            while i < bytes.count, isDigit(bytes[i]) { i += 1 }
            if intDigits == 0 && i == fracStart { return nil }
        } else if intDigits == 0 {
            return nil
        }
        if i < bytes.count, bytes[i] == UInt8(ascii: "e") || bytes[i] == UInt8(ascii: "E") {
            isFloat = true
            i += 1
            if i < bytes.count, bytes[i] == UInt8(ascii: "-") || bytes[i] == UInt8(ascii: "+") { i += 1 }
            let expStart = i
            while i < bytes.count, isDigit(bytes[i]) { i += 1 }
            if i == expStart { return nil }
        }
        guard i == bytes.count else { return nil }
        if !isFloat, let n = Int(text) { return .int(n) }
        // Swift's Double parser rejects a leading '+' in some spellings and "1." forms; normalise.
        if bytes[0] == UInt8(ascii: "+") { bytes.removeFirst() }
        if bytes.last == UInt8(ascii: ".") { bytes.append(UInt8(ascii: "0")) }
        let normalised = String(decoding: bytes, as: UTF8.self)
        return Double(normalised).map(JSONValue.double)
    }

    private static func radix(_ digits: ArraySlice<UInt8>, _ base: Int) -> JSONValue? {
        var value = 0
        for byte in digits {
            let d: Int
            switch byte {
            case UInt8(ascii: "0")...UInt8(ascii: "9"): d = Int(byte - UInt8(ascii: "0"))
            case UInt8(ascii: "a")...UInt8(ascii: "f"): d = Int(byte - UInt8(ascii: "a")) + 10
            case UInt8(ascii: "A")...UInt8(ascii: "F"): d = Int(byte - UInt8(ascii: "A")) + 10
            default: return nil
            }
            guard d < base else { return nil }
            let (m, o1) = value.multipliedReportingOverflow(by: base)
            let (s, o2) = m.addingReportingOverflow(d)
            if o1 || o2 { return nil }
            value = s
        }
        return .int(value)
    }

    private static func isDigit(_ b: UInt8) -> Bool { b >= UInt8(ascii: "0") && b <= UInt8(ascii: "9") }
}

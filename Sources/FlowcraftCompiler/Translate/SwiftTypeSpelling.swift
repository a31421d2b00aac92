import FlowcraftModel

/// How a blueprint type reads in Swift. `nil` (undeclared) and `JSON` are `JSONValue`.
struct SwiftTypeSpelling {
    /// Blueprint record name → Swift type name.
    let recordNames: [String: String]

    func spell(_ type: TypeReference?) -> String {
        guard let type else { return "JSONValue" }
        switch type {
        case .string: return "String"
        case .int: return "Int"
        case .double: return "Double"
        case .bool: return "Bool"
        case .json: return "JSONValue"
        case .array(let t): return "[" + spell(t) + "]"
        case .dictionary(let t): return "[String: " + spell(t) + "]"
        case .optional(let t): return spell(t) + "?"
        // Unknown names were reported while planning; JSONValue keeps the output compilable.
        case .named(let n): return recordNames[n] ?? "JSONValue"
        }
    }

    /// `true` when values of this type are passed through as `JSONValue` without coding.
    static func isJSON(_ type: TypeReference?) -> Bool {
        guard let type else { return true }
        return type == .json
    }
}

/// Resolves a node's `inputs:` against the run context, as Flowcraft does: a key starting with `_`
/// is read as is; otherwise `_outputs.<key>` wins when present, then the raw key. Beyond
/// Flowcraft, a dotted key whose whole text is absent is read as a path: the longest prefix that
/// names a key (or a node output), then members/indices (`fetch.user.name`, `order.items.0`).
/// Map values may be strings (resolved), lists of strings (each resolved) or other JSON (literal).
/// Shared with the distributed engine, which fetches exactly ``keys(readBy:)`` before resolving.
package enum InputResolution {
    package static func resolve(_ inputs: NodeInputs, lookup: (String) -> JSONValue?) -> JSONValue {
        switch inputs {
        case .key(let key):
            return resolveKey(key, lookup: lookup)
        case .mapping(let mapping):
            var object: [String: JSONValue] = [:]
            object.reserveCapacity(mapping.count)
            for (name, source) in mapping {
                switch source {
                case .string(let key):
                    object[name] = resolveKey(key, lookup: lookup)
                case .array(let keys):
                    object[name] = .array(keys.map { k in
                        if case .string(let key) = k { return resolveKey(key, lookup: lookup) }
                        return k
                    })
                default:
                    object[name] = source
                }
            }
            return .object(object)
        }
    }

    /// Every context key resolving `inputs` may look up (each dotted prefix, with its `_outputs.`
    /// form), in first-use order without repeats.
    package static func keys(readBy inputs: NodeInputs) -> [String] {
        var keys: [String] = []
        var seen: Set<String> = []
        func addCandidates(_ key: String) {
            let parts = key.split(separator: ".", omittingEmptySubsequences: false)
            var length = parts.count
            while length >= 1 {
                let prefix = parts[0..<length].joined(separator: ".")
                let candidates = prefix.hasPrefix("_") ? [prefix] : [ContextKeys.output(of: prefix), prefix]
                for candidate in candidates where seen.insert(candidate).inserted { keys.append(candidate) }
                length -= 1
            }
        }
        switch inputs {
        case .key(let key):
            addCandidates(key)
        case .mapping(let mapping):
            for source in mapping.keys.sorted().compactMap({ mapping[$0] }) {
                switch source {
                case .string(let key): addCandidates(key)
                case .array(let items): for case .string(let key) in items { addCandidates(key) }
                default: break
                }
            }
        }
        return keys
    }

    static func resolveKey(_ key: String, lookup: (String) -> JSONValue?) -> JSONValue {
        if let direct = lookupKey(key, lookup: lookup) { return direct }
        guard key.contains(".") else { return .null }
        let parts = key.split(separator: ".", omittingEmptySubsequences: false).map(String.init)
        var prefixLength = parts.count - 1
        while prefixLength >= 1 {
            let prefix = parts[0..<prefixLength].joined(separator: ".")
            if var value = lookupKey(prefix, lookup: lookup) {
                for step in parts[prefixLength...] {
                    value = member(value, step)
                }
                return value
            }
            prefixLength -= 1
        }
        return .null
    }

    private static func lookupKey(_ key: String, lookup: (String) -> JSONValue?) -> JSONValue? {
        if key.hasPrefix("_") { return lookup(key) }
        if let output = lookup(ContextKeys.output(of: key)) { return output }
        return lookup(key)
    }

    private static func member(_ value: JSONValue, _ name: String) -> JSONValue {
        switch value {
        case .object(let o): return o[name] ?? .null
        case .array(let a):
            guard let i = Int(name), a.indices.contains(i) else { return .null }
            return a[i]
        default: return .null
        }
    }
}

/// Durations in built-in params: a number of milliseconds, or text such as `250ms`, `5s`, `2m`,
/// `1h`, `1d`. Shared with the distributed engine, which delays `sleep` jobs by it.
package enum DurationValue {
    /// The duration in milliseconds; `nil` for a negative, too large or unreadable value.
    package static func milliseconds(_ value: JSONValue?) -> Int64? {
        let limit = Double(DurationLimit.milliseconds)
        switch value {
        // Below ``DurationLimit``, as the blueprint decoder reads them: now + a duration never overflows.
        case .int(let i)?: return i >= 0 && i < DurationLimit.milliseconds ? Int64(i) : nil
        case .double(let d)?: return d >= 0 && d < limit ? Int64(d) : nil
        case .string(let s)?:
            let text = s.trimmingSpaces()
            let units: [(String, Double)] = [("ms", 1), ("s", 1000), ("m", 60_000), ("h", 3_600_000), ("d", 86_400_000)]
            for (suffix, factor) in units where text.hasSuffix(suffix) {
                guard let n = Double(text.dropLast(suffix.count)), n >= 0, n * factor < limit else { continue }
                return Int64(n * factor)
            }
            if let n = Double(text), n >= 0, n < limit { return Int64(n) }
            return nil
        default: return nil
        }
    }
}

extension String {
    func trimmingSpaces() -> String {
        var s = Substring(self)
        while s.first == " " { s = s.dropFirst() }
        while s.last == " " { s = s.dropLast() }
        return String(s)
    }
}

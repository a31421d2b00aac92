import Flowcraft

/// Which context keys a node reads and how they become its input — computed once per node so each
/// job fetches exactly those fields with one `HMGET`, never the whole state hash.
///
/// Resolution follows the runtime's rules: `inputs:` keys starting with `_` are read as is,
/// otherwise `_outputs.<key>` wins over the raw key, and a dotted key that names nothing is read as a
/// path from its longest present prefix. Without `inputs:`, a node reads `_inputs.<id>` (written when
/// an edge into it is taken).
// TODO(runtime): the runtime's `InputResolution` is internal; once it is public this type should only
// list the keys and delegate the resolution to it.
struct NodeInputPlan: Sendable {
    let inputs: NodeInputs?
    let nodeID: String
    let predecessorIDs: [String]
    /// Every state field the resolution may look at.
    let keys: [String]

    init(node: NodeDefinition, predecessors: [String]) {
        inputs = node.inputs
        nodeID = node.id
        predecessorIDs = predecessors
        var keys: [String] = []
        var seen: Set<String> = []
        func add(_ key: String) { if seen.insert(key).inserted { keys.append(key) } }
        func addCandidates(_ key: String) {
            let parts = key.split(separator: ".", omittingEmptySubsequences: false)
            var length = parts.count
            while length >= 1 {
                let prefix = parts[0..<length].joined(separator: ".")
                if prefix.hasPrefix("_") {
                    add(prefix)
                } else {
                    add("_outputs." + prefix)
                    add(prefix)
                }
                length -= 1
            }
        }
        switch node.inputs {
        case .key(let key)?:
            addCandidates(key)
        case .mapping(let mapping)?:
            for source in mapping.keys.sorted().compactMap({ mapping[$0] }) {
                switch source {
                case .string(let key): addCandidates(key)
                case .array(let items): for case .string(let key) in items { addCandidates(key) }
                default: break
                }
            }
        case nil:
            add("_inputs." + node.id)
        }
        self.keys = keys
    }

    func resolve(_ values: [String: JSONValue]) -> JSONValue {
        switch inputs {
        case nil:
            return values["_inputs." + nodeID] ?? .null
        case .key(let key)?:
            return resolveKey(key, values)
        case .mapping(let mapping)?:
            var object: [String: JSONValue] = [:]
            for (name, source) in mapping {
                switch source {
                case .string(let key): object[name] = resolveKey(key, values)
                case .array(let items):
                    object[name] = .array(items.map { item in
                        if case .string(let key) = item { return resolveKey(key, values) }
                        return item
                    })
                default: object[name] = source
                }
            }
            return .object(object)
        }
    }

    private func lookup(_ key: String, _ values: [String: JSONValue]) -> JSONValue? {
        if key.hasPrefix("_") { return values[key] }
        return values["_outputs." + key] ?? values[key]
    }

    private func resolveKey(_ key: String, _ values: [String: JSONValue]) -> JSONValue {
        if let direct = lookup(key, values) { return direct }
        let parts = key.split(separator: ".", omittingEmptySubsequences: false).map(String.init)
        var length = parts.count - 1
        while length >= 1 {
            if var value = lookup(parts[0..<length].joined(separator: "."), values) {
                for step in parts[length...] {
                    switch value {
                    case .object(let o): value = o[step] ?? .null
                    case .array(let a): value = Int(step).flatMap { a.indices.contains($0) ? a[$0] : nil } ?? .null
                    default: value = .null
                    }
                }
                return value
            }
            length -= 1
        }
        return .null
    }
}

import FlowcraftModel

/// `nodes:` — a list of `{id, uses, params, inputs, config}`.
extension BlueprintDecoder {
    static let nodeFields = ["id", "uses", "params", "inputs", "config"]
    static let configFields = ["maxRetries", "retryDelay", "timeout", "fallback", "joinStrategy"]

    mutating func decodeNodes(_ node: YAMLNode) -> [NodeDefinition] {
        if isNull(node) { return [] }
        guard let list = sequence(node, field: "nodes") else { return [] }
        var nodes: [NodeDefinition] = []
        nodes.reserveCapacity(list.items.count)
        for item in list.items {
            guard let map = mapping(item, field: "nodes[]") else { continue }
            if let decoded = decodeNode(map) { nodes.append(decoded) }
        }
        return nodes
    }

    private mutating func decodeNode(_ map: YAMLMapping) -> NodeDefinition? {
        var id: String?
        var uses: String?
        var usesSeen = false
        var params: [String: JSONValue] = [:]
        var paramsNode: YAMLMapping?
        var inputs: NodeInputs?
        var config = NodeConfig()
        var locations: [String: SourceLocation] = [:]
        locations.reserveCapacity(map.entries.count)
        for entry in map.entries {
            guard let key = fieldName(entry.key) else { continue }
            let value = entry.value
            switch key {
            case "id":
                id = requiredString(value, field: "id")
                locations["id"] = valueLocation(value)
            case "uses":
                usesSeen = true
                uses = requiredString(value, field: "uses")
                locations["uses"] = valueLocation(value)
            case "params":
                locations["params"] = valueLocation(value)
                if isNull(value) { continue }
                paramsNode = mapping(value, field: "params")
            case "inputs":
                locations["inputs"] = valueLocation(value)
                inputs = decodeInputs(value, locations: &locations)
            case "config":
                locations["config"] = valueLocation(value)
                if isNull(value) { continue }
                if let m = mapping(value, field: "config") { config = decodeConfig(m, locations: &locations) }
            default:
                unknownField(key, at: entry.key, known: Self.nodeFields, in: "node")
            }
        }
        guard let id else {
            if locations["id"] == nil {
                diagnostics.append(.error(.missingField, "node has no 'id'", at: location(map.mark)))
            }
            return nil
        }
        if !usesSeen {
            diagnostics.append(.error(.missingField, "node '\(id)' has no 'uses'", at: location(map.mark)))
        }
        if let paramsNode {
            params.reserveCapacity(paramsNode.entries.count)
            for entry in paramsNode.entries {
                guard let key = fieldName(entry.key) else { continue }
                locations["params." + key] = valueLocation(entry.value)
                params[key] = param(key, of: uses ?? "", entry.value)
            }
        }
        return NodeDefinition(
            id: id, uses: uses ?? "", params: params, inputs: inputs, config: config,
            location: location(map.mark), fieldLocations: locations)
    }

    /// A parameter's value; the duration parameters of built-ins are normalised to milliseconds.
    private mutating func param(_ key: String, of uses: String, _ value: YAMLNode) -> JSONValue {
        let json = json(value)
        let isDuration = (uses == BuiltinNode.sleep.rawValue && key == "duration")
            || (uses == BuiltinNode.wait.rawValue && key == "timeout")
        guard isDuration, !json.isNull else { return json }
        guard let ms = DurationParser.milliseconds(json) else {
            invalidDuration(value, field: "params.\(key)")
            return json
        }
        return .int(ms)
    }

    private mutating func decodeInputs(_ value: YAMLNode, locations: inout [String: SourceLocation]) -> NodeInputs? {
        switch value {
        case .scalar(let s):
            if case .null = s.resolved { return nil }
            return .key(s.value)
        case .mapping(let m):
            var result: [String: JSONValue] = [:]
            result.reserveCapacity(m.entries.count)
            for entry in m.entries {
                guard let key = fieldName(entry.key) else { continue }
                locations["inputs." + key] = valueLocation(entry.value)
                result[key] = json(entry.value)
            }
            return .mapping(result)
        case .sequence:
            invalid("'inputs' must be a string or a mapping, found a list", at: value.mark)
            return nil
        }
    }

    private mutating func decodeConfig(_ map: YAMLMapping, locations: inout [String: SourceLocation]) -> NodeConfig {
        var config = NodeConfig()
        for entry in map.entries {
            guard let key = fieldName(entry.key) else { continue }
            let value = entry.value
            if Self.configFields.contains(key) { locations["config." + key] = valueLocation(value) }
            if isNull(value) { continue }
            switch key {
            case "maxRetries":
                if case .scalar(let s) = value, let n = s.resolved.intValue, n >= 0 {
                    config.maxRetries = n
                } else {
                    invalid("'maxRetries' must be a non-negative integer, found \(describe(value))", at: value.mark)
                }
            case "retryDelay":
                config.retryDelay = duration(value, field: "config.retryDelay")
            case "timeout":
                config.timeout = duration(value, field: "config.timeout")
            case "fallback":
                config.fallback = requiredString(value, field: "fallback")
            case "joinStrategy":
                guard let text = requiredString(value, field: "joinStrategy") else { continue }
                if let strategy = JoinStrategy(rawValue: text) {
                    config.joinStrategy = strategy
                } else {
                    let names = JoinStrategy.allCases.map(\.rawValue)
                    invalid(
                        "'joinStrategy' must be 'all' or 'any', found '\(text)'\(DidYouMean.hint(for: text, among: names))",
                        at: value.mark)
                }
            default:
                unknownField(key, at: entry.key, known: Self.configFields, in: "config")
            }
        }
        return config
    }

    /// Milliseconds from a number or a duration string; reports `INVALID_DURATION` otherwise.
    mutating func duration(_ value: YAMLNode, field: String) -> Int? {
        if case .scalar(let s) = value, let ms = DurationParser.milliseconds(s.resolved) { return ms }
        invalidDuration(value, field: field)
        return nil
    }

    private mutating func invalidDuration(_ value: YAMLNode, field: String) {
        diagnostics.append(.error(
            .invalidDuration,
            "'\(field)' must be a duration such as 250ms, 5s, 2m, 1h or a number of milliseconds, found \(describe(value))",
            at: location(value.mark)))
    }

    /// A scalar's text in quotes, or the kind of a collection.
    func describe(_ node: YAMLNode) -> String {
        if case .scalar(let s) = node { return "'\(s.value)'" }
        return node.kindDescription
    }
}

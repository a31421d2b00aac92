import FlowcraftModel

/// `edges:` — a list of `{source, target, action, condition, transform}`.
extension BlueprintDecoder {
    static let edgeFields = ["source", "target", "action", "condition", "transform"]

    mutating func decodeEdges(_ node: YAMLNode) -> [EdgeDefinition] {
        if isNull(node) { return [] }
        guard let list = sequence(node, field: "edges") else { return [] }
        var edges: [EdgeDefinition] = []
        edges.reserveCapacity(list.items.count)
        for item in list.items {
            guard let map = mapping(item, field: "edges[]") else { continue }
            if let edge = decodeEdge(map) { edges.append(edge) }
        }
        return edges
    }

    private mutating func decodeEdge(_ map: YAMLMapping) -> EdgeDefinition? {
        var source: String?
        var target: String?
        var sourceSeen = false
        var targetSeen = false
        var edge = EdgeDefinition(source: "", target: "", location: location(map.mark))
        // One allocation instead of regrowing per field.
        edge.fieldLocations.reserveCapacity(map.entries.count)
        for entry in map.entries {
            guard let key = fieldName(entry.key) else { continue }
            let value = entry.value
            switch key {
            case "source":
                sourceSeen = true
                source = requiredString(value, field: "source")
            case "target":
                targetSeen = true
                target = requiredString(value, field: "target")
            case "action":
                edge.action = optionalString(value, field: "action")
            case "condition":
                edge.condition = optionalString(value, field: "condition")
            case "transform":
                edge.transform = optionalString(value, field: "transform")
            default:
                unknownField(key, at: entry.key, known: Self.edgeFields, in: "edge")
                continue
            }
            // Expressions are checked column by column later, so point at their first character.
            edge.fieldLocations[key] = valueLocation(value)
        }
        if !sourceSeen {
            diagnostics.append(.error(.missingField, "edge has no 'source'", at: location(map.mark)))
        }
        if !targetSeen {
            diagnostics.append(.error(.missingField, "edge has no 'target'", at: location(map.mark)))
        }
        guard let source, let target else { return nil }
        edge.source = source
        edge.target = target
        return edge
    }
}

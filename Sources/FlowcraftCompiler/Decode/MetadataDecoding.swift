import FlowcraftModel

/// `metadata:` — `version`, `cycleEntryPoints`, and anything else kept as JSON (Flowcraft allows any).
extension BlueprintDecoder {
    mutating func decodeMetadata(_ node: YAMLNode) -> BlueprintMetadata? {
        if isNull(node) { return nil }
        guard let map = mapping(node, field: "metadata") else { return nil }
        var metadata = BlueprintMetadata()
        for entry in map.entries {
            guard let key = fieldName(entry.key) else { continue }
            switch key {
            case "version":
                metadata.version = optionalString(entry.value, field: "metadata.version")
            case "cycleEntryPoints":
                metadata.cycleEntryPoints = stringList(entry.value, field: "cycleEntryPoints")
            default:
                metadata.extra[key] = json(entry.value)
            }
        }
        return metadata
    }
}

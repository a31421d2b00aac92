import FlowcraftModel

/// `metadata:` — `version`, `cycleEntryPoints`, `unroutedActions` (`fail` | `end`), and anything else kept as JSON (Flowcraft allows any).
extension BlueprintDecoder {
    /// The metadata keys given a meaning (any other key is kept as JSON).
    static let metadataFields = ["version", "cycleEntryPoints", "unroutedActions"]

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
            case "unroutedActions":
                // What an action no edge routes does: fail the run (default) or end the branch.
                guard let text = requiredString(entry.value, field: "metadata.unroutedActions") else { continue }
                let names = ["fail", "end"]
                if names.contains(text) {
                    metadata.extra[key] = .string(text)
                } else {
                    invalid(
                        "'metadata.unroutedActions' must be 'fail' or 'end', found '\(text)'\(DidYouMean.hint(for: text, among: names))",
                        at: entry.value.mark)
                }
            default:
                metadata.extra[key] = json(entry.value)
            }
        }
        return metadata
    }
}

import FlowcraftModel

/// `types:` and `implementations:`, the optional typing used by code generation.
///
/// ```yaml
/// types:
///   Order: { id: String, total: Double, items: "[Item]" }
///   Item:                      # fuller form
///     description: One line of an order.
///     fields: { sku: String, quantity: Int }
/// implementations:
///   charge-card: { input: Order, output: Receipt, params: ChargeParams, actions: [ok, declined] }
/// ```
/// A field may also be written `{type: String, description: …}`.
extension BlueprintDecoder {
    static let implementationFields = ["input", "output", "params", "actions", "description"]
    static let typeFormFields = ["description", "fields"]

    mutating func decodeTypes(_ node: YAMLNode) -> [TypeDefinition] {
        if isNull(node) { return [] }
        guard let map = mapping(node, field: "types") else { return [] }
        var types: [TypeDefinition] = []
        types.reserveCapacity(map.entries.count)
        for entry in map.entries {
            guard let name = fieldName(entry.key) else { continue }
            guard let body = mapping(entry.value, field: "types.\(name)") else { continue }
            var definition = TypeDefinition(name: name, fields: [], location: location(entry.key.mark))
            var fieldsNode = body
            if case .mapping(let explicit)? = body["fields"] {
                // Fuller form: {description, fields}.
                fieldsNode = explicit
                for e in body.entries {
                    guard let key = fieldName(e.key) else { continue }
                    switch key {
                    case "fields": break
                    case "description": definition.description = optionalString(e.value, field: "description")
                    default: unknownField(key, at: e.key, known: Self.typeFormFields, in: "type '\(name)'")
                    }
                }
            }
            for field in fieldsNode.entries {
                guard let fieldName = fieldName(field.key) else { continue }
                var typeNode = field.value
                if case .mapping(let m) = field.value {
                    guard let t = m["type"] else {
                        diagnostics.append(.error(
                            .missingField, "field '\(fieldName)' of type '\(name)' has no 'type'", at: location(m.mark)))
                        continue
                    }
                    for e in m.entries {
                        if case .scalar(let k) = e.key, k.value != "type" && k.value != "description" {
                            unknownField(k.value, at: e.key, known: ["type", "description"], in: "field '\(fieldName)'")
                        }
                    }
                    typeNode = t
                }
                guard let type = typeReference(typeNode, field: "\(name).\(fieldName)") else { continue }
                definition.fields.append(
                    FieldDefinition(
                        name: fieldName, type: type, location: location(field.key.mark), typeLocation: location(typeNode.mark)))
            }
            types.append(definition)
        }
        return types
    }

    mutating func decodeImplementations(_ node: YAMLNode) -> [ImplementationDefinition] {
        if isNull(node) { return [] }
        guard let map = mapping(node, field: "implementations") else { return [] }
        var result: [ImplementationDefinition] = []
        result.reserveCapacity(map.entries.count)
        for entry in map.entries {
            guard let uses = fieldName(entry.key) else { continue }
            var implementation = ImplementationDefinition(uses: uses, location: location(entry.key.mark))
            if isNull(entry.value) {
                result.append(implementation)
                continue
            }
            guard let body = mapping(entry.value, field: "implementations.\(uses)") else { continue }
            for e in body.entries {
                guard let key = fieldName(e.key) else { continue }
                switch key {
                case "input", "output", "params":
                    let type = optionalType(e.value, field: "\(uses).\(key)")
                    if key == "input" { implementation.input = type }
                    if key == "output" { implementation.output = type }
                    if key == "params" { implementation.params = type }
                    implementation.typeLocations = (implementation.typeLocations ?? [:]).merging(
                        [key: location(e.value.mark)]) { _, new in new }
                case "actions": implementation.actions = stringList(e.value, field: "actions")
                case "description": implementation.description = optionalString(e.value, field: "description")
                default:
                    unknownField(key, at: e.key, known: Self.implementationFields, in: "implementation '\(uses)'")
                }
            }
            result.append(implementation)
        }
        return result
    }

    private mutating func optionalType(_ node: YAMLNode, field: String) -> TypeReference? {
        if isNull(node) { return nil }
        return typeReference(node, field: field)
    }

    /// Parses a type spelling; a syntax error points at its column inside the string.
    private mutating func typeReference(_ node: YAMLNode, field: String) -> TypeReference? {
        guard case .scalar(let s) = node, !isNull(node) else {
            invalid("the type of '\(field)' must be a string such as String or [Item], found \(node.kindDescription)", at: node.mark)
            return nil
        }
        switch TypeReference.parse(s.value) {
        case .success(let t):
            return t
        case .failure(let e):
            diagnostics.append(.error(
                .invalidValue, "malformed type '\(s.value)' for '\(field)': \(e.message)",
                at: location(s.contentMark).advanced(byColumns: e.offset)))
            return nil
        }
    }
}

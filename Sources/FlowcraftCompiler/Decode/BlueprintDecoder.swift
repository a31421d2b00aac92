import FlowcraftModel

/// Turns a YAML syntax tree into a `WorkflowBlueprint`, collecting every problem on the way:
/// `UNKNOWN_FIELD` (with a suggestion), `MISSING_FIELD`, `INVALID_VALUE`, `INVALID_DURATION`.
///
/// Decoding never stops at the first problem: a bad field is reported and skipped, a node or edge
/// lacking its identity (`id`; `source`/`target`) is reported and left out, a node lacking `uses`
/// is kept with an empty `uses` so edges to it still resolve. Top-level keys starting with `x-` are
/// ignored, so they can hold anchors (`x-defaults: &retry {maxRetries: 3}`). Node ids and every
/// reference to one come out in Unicode NFC (`WorkflowBlueprint.normalizingIdentifiers()`).
package struct BlueprintDecoder {
    /// The file path, as it appears in diagnostics.
    package let file: String
    /// Blueprint id used when the file has no `id:` (the file name without its extension).
    package let defaultID: String
    package internal(set) var diagnostics: [Diagnostic] = []

    package init(file: String, defaultID: String? = nil) {
        self.file = file
        self.defaultID = defaultID ?? Self.stem(of: file)
    }

    /// Decodes one file's root node. Returns `nil` only when there is no usable root mapping.
    package mutating func decode(_ root: YAMLNode?) -> WorkflowBlueprint? {
        guard let root else {
            diagnostics.append(.error(
                .missingField, "the file holds no blueprint (expected a mapping with 'nodes')",
                at: SourceLocation(file: file, line: 1, column: 1)))
            return nil
        }
        guard case .mapping(let map) = root else {
            invalid("a blueprint must be a mapping, found \(root.kindDescription)", at: root.mark)
            return nil
        }
        return decodeBlueprint(map)
    }

    /// `Blueprints/order.flow.yaml` → `order.flow`.
    package static func stem(of path: String) -> String {
        let name = path.split(separator: "/", omittingEmptySubsequences: true).last.map(String.init) ?? path
        guard let dot = name.lastIndex(of: "."), dot != name.startIndex else { return name }
        return String(name[..<dot])
    }

    static let blueprintFields = [
        "id", "version", "description", "nodes", "edges", "metadata", "types", "implementations",
    ]

    private mutating func decodeBlueprint(_ map: YAMLMapping) -> WorkflowBlueprint {
        var blueprint = WorkflowBlueprint(id: defaultID, location: location(map.mark))
        var sawNodes = false
        for entry in map.entries {
            guard let key = fieldName(entry.key) else { continue }
            let value = entry.value
            switch key {
            case "id":
                if let id = requiredString(value, field: "id") { blueprint.id = id }
            case "version":
                blueprint.version = optionalString(value, field: "version")
            case "description":
                blueprint.description = optionalString(value, field: "description")
            case "nodes":
                sawNodes = true
                blueprint.nodes = decodeNodes(value)
            case "edges":
                blueprint.edges = decodeEdges(value)
            case "metadata":
                blueprint.metadata = decodeMetadata(value)
            case "types":
                blueprint.types = decodeTypes(value)
            case "implementations":
                blueprint.implementations = decodeImplementations(value)
            default:
                // `x-…` keys are free for authors (e.g. to hold `&anchors` reused below).
                if key.hasPrefix("x-") { continue }
                unknownField(key, at: entry.key, known: Self.blueprintFields, in: "blueprint")
            }
        }
        if !sawNodes {
            diagnostics.append(.error(.missingField, "blueprint '\(blueprint.id)' has no 'nodes'", at: location(map.mark)))
        }
        // One comparison rule for node ids in every engine: NFC (see IdentifierNormalization).
        return blueprint.normalizingIdentifiers()
    }
}

// MARK: - Shared helpers

extension BlueprintDecoder {
    func location(_ mark: YAMLMark) -> SourceLocation {
        SourceLocation(file: file, line: Int(mark.line), column: Int(mark.column))
    }

    /// Where a value starts: the content of a scalar (past any quote), else the node itself.
    func valueLocation(_ node: YAMLNode) -> SourceLocation {
        if case .scalar(let s) = node { return location(s.contentMark) }
        return location(node.mark)
    }

    mutating func invalid(_ message: String, at mark: YAMLMark) {
        diagnostics.append(.error(.invalidValue, message, at: location(mark)))
    }

    /// The text of a scalar key; reports and returns `nil` for collection keys.
    mutating func fieldName(_ key: YAMLNode) -> String? {
        guard case .scalar(let s) = key else {
            invalid("keys must be strings, found \(key.kindDescription)", at: key.mark)
            return nil
        }
        return s.value
    }

    mutating func unknownField(_ key: String, at node: YAMLNode, known: [String], in context: String) {
        diagnostics.append(.error(
            .unknownField,
            "unknown field '\(key)' in \(context)\(DidYouMean.hint(for: key, among: known))",
            at: location(node.mark)))
    }

    /// A mapping, or `nil` after reporting what was found instead.
    mutating func mapping(_ node: YAMLNode, field: String) -> YAMLMapping? {
        if case .mapping(let m) = node { return m }
        invalid("'\(field)' must be a mapping, found \(node.kindDescription)", at: node.mark)
        return nil
    }

    /// A list, or `nil` after reporting what was found instead.
    mutating func sequence(_ node: YAMLNode, field: String) -> YAMLSequence? {
        if case .sequence(let s) = node { return s }
        invalid("'\(field)' must be a list, found \(node.kindDescription)", at: node.mark)
        return nil
    }

    /// Text of any non-null scalar (so `version: 1.2` reads as "1.2"); reports anything else.
    mutating func requiredString(_ node: YAMLNode, field: String) -> String? {
        if case .scalar(let s) = node {
            if s.isPlainUntagged, YAMLCoreSchema.isNull(s.value) {
                invalid("'\(field)' must be a string, found null", at: s.mark)
                return nil
            }
            return s.value
        }
        invalid("'\(field)' must be a string, found \(node.kindDescription)", at: node.mark)
        return nil
    }

    /// Like `requiredString`, but null means absent.
    mutating func optionalString(_ node: YAMLNode, field: String) -> String? {
        if isNull(node) { return nil }
        return requiredString(node, field: field)
    }

    func isNull(_ node: YAMLNode) -> Bool {
        if case .scalar(let s) = node, case .null = s.resolved { return true }
        return false
    }

    /// A list of strings; bad elements are reported and skipped.
    mutating func stringList(_ node: YAMLNode, field: String) -> [String] {
        if isNull(node) { return [] }
        guard let list = sequence(node, field: field) else { return [] }
        var result: [String] = []
        result.reserveCapacity(list.items.count)
        for item in list.items {
            if let s = requiredString(item, field: "\(field)[]") { result.append(s) }
        }
        return result
    }

    /// Converts any subtree to JSON; collection keys are reported and skipped. Recursion depth is
    /// bounded by the parser's nesting limit.
    mutating func json(_ node: YAMLNode) -> JSONValue {
        switch node {
        case .scalar(let s):
            return s.resolved
        case .sequence(let seq):
            var items: [JSONValue] = []
            items.reserveCapacity(seq.items.count)
            for item in seq.items { items.append(json(item)) }
            return .array(items)
        case .mapping(let m):
            var object: [String: JSONValue] = [:]
            object.reserveCapacity(m.entries.count)
            for entry in m.entries {
                guard let key = fieldName(entry.key) else { continue }
                object[key] = json(entry.value)
            }
            return .object(object)
        }
    }
}

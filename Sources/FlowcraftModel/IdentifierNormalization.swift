/// The one rule for comparing node ids: every node id, and every reference to one, is put in Unicode
/// Normalization Form C (NFC) when a blueprint is decoded or prepared, so a node id written
/// precomposed (`é`) in one place and decomposed (`e` + U+0301) in another names the same node in
/// every engine — Swift compares strings canonically, Redis compares bytes, and after this both see
/// the same bytes.
///
/// The compiler applies it at decode time, the runtime when it prepares a blueprint built in code or
/// decoded from JSON, and the distributed engine to the node and blueprint ids of job payloads.
public enum IdentifierNormalization {
    /// `text` in Unicode Normalization Form C. ASCII text (the common case) is returned unchanged
    /// without copying.
    public static func nfc(_ text: String) -> String {
        if text.utf8.allSatisfy({ $0 < 0x80 }) { return text }
        // The standard library's canonical composition (the form it hashes and compares by);
        // FlowcraftModel stays free of Foundation.
        let units = text._nfcCodeUnits
        if units.elementsEqual(text.utf8) { return text }
        return String(decoding: units, as: UTF8.self)
    }

    /// Whether `text` is already in Normalization Form C.
    public static func isNFC(_ text: String) -> Bool {
        text.utf8.allSatisfy { $0 < 0x80 } || text._nfcCodeUnits.elementsEqual(text.utf8)
    }
}

extension WorkflowBlueprint {
    /// The blueprint with ``IdentifierNormalization`` applied to its id and every identifier in it:
    /// node ids, edge sources and targets, `config.fallback`, `inputs` references, conditions and
    /// transforms (whose context paths name nodes), `metadata.cycleEntryPoints`, and the node-naming
    /// parameters of built-ins (`blueprintId` of `subflow`, `gatherNodeId` of `batch-scatter` and
    /// `batch-gather`, `endNodeId` and `condition` of `loop-controller`). Locations are kept.
    public func normalizingIdentifiers() -> WorkflowBlueprint {
        let n = IdentifierNormalization.nfc
        var copy = self
        copy.id = n(id)
        copy.nodes = nodes.map { $0.normalizingIdentifiers() }
        copy.edges = edges.map { edge in
            var edge = edge
            edge.source = n(edge.source)
            edge.target = n(edge.target)
            edge.condition = edge.condition.map(n)
            edge.transform = edge.transform.map(n)
            return edge
        }
        if var metadata {
            metadata.cycleEntryPoints = metadata.cycleEntryPoints.map(n)
            copy.metadata = metadata
        }
        return copy
    }
}

extension NodeDefinition {
    /// The node with ``IdentifierNormalization`` applied to its id and the identifiers it refers to
    /// (see ``WorkflowBlueprint/normalizingIdentifiers()``).
    public func normalizingIdentifiers() -> NodeDefinition {
        let n = IdentifierNormalization.nfc
        var copy = self
        copy.id = n(id)
        copy.config.fallback = config.fallback.map(n)
        switch inputs {
        case .key(let key)?: copy.inputs = .key(n(key))
        case .mapping(let mapping)?: copy.inputs = .mapping(mapping.mapValues { Self.normalizingStrings($0) })
        case nil: break
        }
        if let builtin = BuiltinNode(rawValue: uses) {
            let names: [String]
            switch builtin {
            case .subflow: names = ["blueprintId"]
            case .batchScatter, .batchGather: names = ["gatherNodeId"]
            case .loopController: names = ["endNodeId", "condition"]
            case .sleep, .wait, .webhook: names = []
            }
            for name in names {
                if case .string(let text)? = params[name] { copy.params[name] = .string(n(text)) }
            }
        }
        return copy
    }

    /// An `inputs` mapping value with every string (a context key or path) normalized.
    private static func normalizingStrings(_ value: JSONValue) -> JSONValue {
        switch value {
        case .string(let text): return .string(IdentifierNormalization.nfc(text))
        case .array(let items): return .array(items.map(normalizingStrings))
        default: return value
        }
    }
}

import Flowcraft

/// The identity of a blueprint's content: a SHA-1 (hex) of the canonical JSON (sorted keys, compact)
/// of its id, version, metadata, nodes and edges — everything that decides how a run goes — without
/// source locations, descriptions or code-generation typing. Two blueprints with the same id and
/// version label but a different graph, config or params have different fingerprints; the same
/// blueprint read from YAML or JSON, or from another file path, has the same one.
enum BlueprintFingerprint {
    static func of(_ blueprint: WorkflowBlueprint) -> String {
        var nodes = blueprint.nodes
        for i in nodes.indices {
            nodes[i].location = nil
            nodes[i].fieldLocations = [:]
        }
        var edges = blueprint.edges
        for i in edges.indices { edges[i].location = nil }
        let encoder = JSONValueEncoder()
        var members: [String: JSONValue] = [
            "id": .string(blueprint.id),
            "version": blueprint.effectiveVersion.map(JSONValue.string) ?? .null,
            "nodes": (try? encoder.encode(nodes)) ?? .null,
            "edges": (try? encoder.encode(edges)) ?? .null,
        ]
        if let metadata = blueprint.metadata { members["metadata"] = (try? encoder.encode(metadata)) ?? .null }
        return SHA1.hexDigest(Array(JSONText.serialize(.object(members)).utf8))
    }
}

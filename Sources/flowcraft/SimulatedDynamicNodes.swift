import ArgumentParser
import Flowcraft

/// `--dynamic NODE=COUNT` of `flowcraft worker` and `flowcraft run` with `--simulate`: simulated node
/// NODE returns COUNT dynamic nodes (`NodeResult.dynamicNodes`), so rehearsals exercise them.
///
/// Dynamic node `I` of NODE has the id `NODE-dI`, runs NODE's own `uses` (simulated as well, so it
/// returns its input and never spawns again) and has the input `{"index": I, "count": COUNT,
/// "spawnerOutput": <NODE's output>}`, which it returns: its output lands at `_outputs.NODE-dI`.
/// `--action` and `--fail` apply to the ids `NODE-dI` like to any other simulated node.
enum SimulatedDynamicNodes {
    /// The most dynamic nodes one `--dynamic` value may ask for.
    static let maximumCount = 1_000

    /// The id of dynamic node `index` (1-based) of `spawner`.
    static func id(spawner: String, index: Int) -> String { "\(spawner)-d\(index)" }

    /// The definitions of the dynamic nodes of `spawner`, which runs `uses`.
    static func nodes(spawner: String, uses: String, count: Int) -> [NodeDefinition] {
        (1...count).map { index in
            NodeDefinition(
                id: id(spawner: spawner, index: index), uses: uses,
                inputs: .mapping([
                    "index": .int(index), "count": .int(count), "spawnerOutput": .string("_outputs." + spawner),
                ]))
        }
    }

    /// Parses and checks the `--dynamic` values against the loaded blueprints: the dynamic nodes
    /// each simulated node returns, by node id.
    static func parse(_ entries: [String], blueprints: [WorkflowBlueprint]) throws -> [String: [NodeDefinition]] {
        var byNode: [String: [NodeDefinition]] = [:]
        let nodeIDs = Set(blueprints.flatMap { $0.nodes.map(\.id) })
        for entry in entries {
            let parts = entry.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false).map(String.init)
            guard parts.count == 2, !parts[0].isEmpty, !parts[1].isEmpty else {
                throw ValidationError("--dynamic expects NODE=COUNT, got '\(entry)'")
            }
            let node = parts[0]
            guard let count = Int(parts[1]), (1...maximumCount).contains(count) else {
                throw ValidationError(
                    "--dynamic \(entry): COUNT must be a whole number from 1 to \(maximumCount), got '\(parts[1])'")
            }
            guard byNode[node] == nil else { throw ValidationError("--dynamic \(entry): node '\(node)' is given more than once") }
            let definitions = blueprints.flatMap(\.nodes).filter { $0.id == node }
            guard !definitions.isEmpty else {
                throw ValidationError("--dynamic \(entry): no loaded blueprint has a node '\(node)'")
            }
            guard let simulated = definitions.first(where: { BuiltinNode(rawValue: $0.uses) == nil }) else {
                throw ValidationError(
                    "--dynamic \(entry): node '\(node)' uses built-in '\(definitions[0].uses)'; only simulated (non-built-in) nodes can return dynamic nodes")
            }
            let nodes = Self.nodes(spawner: node, uses: simulated.uses, count: count)
            if let clash = nodes.first(where: { nodeIDs.contains($0.id) }) {
                throw ValidationError(
                    "--dynamic \(entry): dynamic node id '\(clash.id)' is already a node of a loaded blueprint")
            }
            byNode[node] = nodes
        }
        return byNode
    }
}

import Flowcraft

/// Which context keys a node reads and how they become its input — computed once per node so each
/// job fetches exactly those fields with one `HMGET`, never the whole state hash.
///
/// The keys and the resolution are the runtime's ``InputResolution``. Without `inputs:`, a node reads
/// `_inputs.<id>` (written when an edge into it is taken), as in the in-memory engine.
struct NodeInputPlan: Sendable {
    let inputs: NodeInputs?
    let nodeID: String
    /// Every state field the resolution may look at.
    let keys: [String]

    init(node: NodeDefinition) {
        inputs = node.inputs
        nodeID = node.id
        keys = node.inputs.map(InputResolution.keys(readBy:)) ?? [ContextKeys.input(of: node.id)]
    }

    func resolve(_ values: [String: JSONValue]) -> JSONValue {
        guard let inputs else { return values[ContextKeys.input(of: nodeID)] ?? .null }
        return InputResolution.resolve(inputs) { values[$0] }
    }
}

import FlowcraftModel

/// `INVALID_BATCH_WORKER_KEY`: a batch-scatter's `workerUsesKey` must name an implementation that
/// can process one item: not a control built-in, and not a node id by mistake.
enum BatchRules {
    /// Built-ins that cannot serve as per-item workers.
    static let nonWorkers: Set<String> = [
        BuiltinNode.batchScatter.rawValue, BuiltinNode.batchGather.rawValue, BuiltinNode.loopController.rawValue,
        BuiltinNode.wait.rawValue, BuiltinNode.sleep.rawValue, BuiltinNode.webhook.rawValue,
    ]

    static func check(_ set: ValidationSet, _ out: inout [Diagnostic]) {
        let scatter = BuiltinNode.batchScatter.rawValue
        guard set.blueprints.contains(where: { b in b.nodes.indices.contains { b.nodes[$0].uses == scatter } }) else { return }
        var usedKeys: Set<String> = []
        for blueprint in set.blueprints { for node in blueprint.nodes { usedKeys.insert(node.uses) } }
        let knownKeys = usedKeys.union(set.implementations.keys).subtracting(nonWorkers)
            .union([BuiltinNode.subflow.rawValue])

        for (b, blueprint) in set.blueprints.enumerated() {
            let graph = set.facts[b].graph
            for v in blueprint.nodes.indices where blueprint.nodes[v].uses == scatter {
                let node = blueprint.nodes[v]
                guard case .string(let key)? = node.params["workerUsesKey"], !key.isEmpty else { continue }
                let at = node.location(of: "params.workerUsesKey")
                if nonWorkers.contains(key) {
                    out.append(.error(.invalidBatchWorkerKey,
                        "batch-scatter '\(node.id)' cannot use the built-in '\(key)' as its worker", at: at))
                } else if let v = graph.index[key], blueprint.nodes[v].uses != key, !knownKeys.contains(key) {
                    out.append(.error(.invalidBatchWorkerKey,
                        "workerUsesKey '\(key)' of '\(node.id)' is a node id, not an implementation key; did you mean '\(blueprint.nodes[v].uses)'?",
                        at: at))
                } else if !set.implementations.isEmpty, set.implementations[key] == nil, !usedKeys.contains(key),
                    let suggestion = DidYouMean.suggestion(for: key, among: knownKeys)
                {
                    out.append(.error(.invalidBatchWorkerKey,
                        "workerUsesKey '\(key)' of '\(node.id)' is neither declared under implementations nor used by any node; did you mean '\(suggestion)'?",
                        at: at))
                }
            }
        }
    }
}

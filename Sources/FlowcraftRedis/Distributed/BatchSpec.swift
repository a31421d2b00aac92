import Flowcraft

/// A `batch-scatter` node as the distributed engine runs it: one queue job per item for the worker
/// node `workerUsesKey`, at most `chunkSize` in flight (each finished worker enqueues the item
/// `chunkSize` places after it), and the gather as a join of all the workers, fired once by the
/// completion script when the last one commits.
///
/// Worker `i` of scatter `s` is the instance `<workerUsesKey>_<s>_<i>` (the in-memory engine's worker
/// id); its item is ``ContextKeys/batchItem(scatter:index:)`` and its output `_outputs.<worker id>`,
/// both in the state hash.
struct BatchSpec: Sendable, Hashable {
    var scatterID: String
    var workerUses: String
    var gatherID: String
    var chunkSize: Int?

    /// Reads a scatter node's params; `nil` when a required one is missing.
    init?(scatter node: NodeDefinition) {
        guard case .string(let workerUses)? = node.params["workerUsesKey"],
            case .string(let gatherID)? = node.params["gatherNodeId"]
        else { return nil }
        scatterID = node.id
        self.workerUses = workerUses
        self.gatherID = gatherID
        chunkSize = node.params["chunkSize"]?.intValue
    }

    /// Workers in flight at once for `count` items.
    func window(count: Int) -> Int { max(1, min(count, chunkSize ?? count)) }

    func workerID(_ index: Int) -> String { "\(workerUses)_\(scatterID)_\(index)" }

    func itemKey(_ index: Int) -> String { ContextKeys.batchItem(scatter: scatterID, index: index) }

    var workerIDsKey: String { ContextKeys.batchWorkerIDs(gather: gatherID) }

    var hasMoreKey: String { ContextKeys.batchHasMore(gather: gatherID) }

    /// The scatter node and item index of worker instance `nodeID`, for entries found in a run's
    /// pending set (the reconciler re-enqueues lost worker jobs from them).
    static func locateWorker(_ nodeID: String, in plan: CompiledBlueprint) -> (scatter: Int, spec: BatchSpec, index: Int)? {
        for s in plan.nodes.indices where plan.builtins[s] == .batchScatter {
            guard let spec = BatchSpec(scatter: plan.nodes[s]) else { continue }
            let prefix = "\(spec.workerUses)_\(spec.scatterID)_"
            guard nodeID.hasPrefix(prefix), let index = Int(nodeID.dropFirst(prefix.count)), index >= 0 else { continue }
            return (s, spec, index)
        }
        return nil
    }

    /// The gather: the workers' outputs in input order; a worker that produced nothing keeps its slot.
    static func gather(node: NodeDefinition, state: RedisWorkflowState) async throws -> NodeResult {
        let gatherID = node.params["gatherNodeId"]?.stringValue ?? node.id
        let outputKey = node.params["outputKey"]?.stringValue ?? node.id
        let ids = try await state.get(ContextKeys.batchWorkerIDs(gather: gatherID))?.arrayValue ?? []
        let keys = ids.compactMap(\.stringValue).map(ContextKeys.output(of:))
        let stored = keys.isEmpty ? [:] : try await state.get(keys)
        let results: [JSONValue] = ids.map { id in id.stringValue.flatMap { stored[ContextKeys.output(of: $0)] } ?? .null }
        try await state.set(outputKey, .array(results))
        return NodeResult(output: .array(results))
    }
}

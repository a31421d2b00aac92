/// A `batch-scatter` node's batch, as both engines run it: the one home of the scatter/gather rule.
///
/// The scatter takes an array input and runs worker node `workerUsesKey` once per item, at most
/// ``window(count:)`` in flight. Worker `i` of scatter `s` is node `<workerUsesKey>_<s>_<i>`
/// (``workerID(_:)``), runs with the scatter's retry, retry-delay and timeout settings, and reads its
/// item from ``itemKey(_:)``. The scatter writes the worker ids (``workerIDsKey``) and the has-more
/// flag (``hasMoreKey``, always `false`) before its routing is decided; its output is
/// ``scatterOutput(count:)``. The gather (``BatchGather``) collects the workers' outputs in item order.
///
/// The in-memory engine hands the workers to its `RunScheduler` as a batch; the distributed engine
/// enqueues one job per worker (each finished worker enqueues the item one window later).
package struct BatchPlan: Sendable, Hashable {
    package var scatterID: String
    package var workerUses: String
    package var gatherID: String
    package var chunkSize: Int?

    /// Reads a scatter node's params; `nil` when `workerUsesKey` or `gatherNodeId` is missing.
    package init?(scatter node: NodeDefinition) {
        guard case .string(let workerUses)? = node.params["workerUsesKey"],
            case .string(let gatherID)? = node.params["gatherNodeId"]
        else { return nil }
        scatterID = node.id
        self.workerUses = workerUses
        self.gatherID = gatherID
        chunkSize = node.params["chunkSize"]?.intValue
    }

    /// The failure of a scatter whose params name no worker or gather.
    package static let missingParamsMessage = "batch-scatter needs 'workerUsesKey' and 'gatherNodeId' params"

    /// The failure of a scatter whose input is not an array.
    package static func notAnArrayMessage(_ input: JSONValue) -> String {
        "batch-scatter needs an array input, got \(input.kindName)"
    }

    /// Workers in flight at once for `count` items: `chunkSize` (all items without one), at least 1.
    package func window(count: Int) -> Int { max(1, min(count, chunkSize ?? count)) }

    /// The node id of worker `index`.
    package func workerID(_ index: Int) -> String { "\(workerUses)_\(scatterID)_\(index)" }

    /// Where worker `index`'s item is stored.
    package func itemKey(_ index: Int) -> String { ContextKeys.batchItem(scatter: scatterID, index: index) }

    /// Where the worker ids are stored (in item order), for the gather.
    package var workerIDsKey: String { ContextKeys.batchWorkerIDs(gather: gatherID) }

    /// Where the has-more flag is stored.
    package var hasMoreKey: String { ContextKeys.batchHasMore(gather: gatherID) }

    /// The worker ids of a batch of `count` items, as stored under ``workerIDsKey``.
    package func workerIDs(count: Int) -> JSONValue { .array((0..<count).map { .string(workerID($0)) }) }

    /// Worker `index` as a node: it reads its item and runs with `scatter`'s retry, retry-delay and
    /// timeout settings.
    package func worker(_ index: Int, of scatter: NodeDefinition) -> NodeDefinition {
        NodeDefinition(
            id: workerID(index), uses: workerUses, inputs: .key(itemKey(index)),
            config: NodeConfig(
                maxRetries: scatter.config.maxRetries, retryDelay: scatter.config.retryDelay,
                timeout: scatter.config.timeout))
    }

    /// The scatter node's output for `count` items.
    package func scatterOutput(count: Int) -> JSONValue { ["gatherNodeId": .string(gatherID), "count": .int(count)] }

    /// The `batch:start` event's payload for `count` items.
    package func startPayload(count: Int) -> [String: JSONValue] {
        ["batchId": .string(scatterID), "scatterNodeId": .string(scatterID), "workerNodeIds": workerIDs(count: count),
         "chunkSize": .int(window(count: count))]
    }

    /// The scatter node and item index of worker node `nodeID`, for entries found in a distributed
    /// run's pending set (the reconciler re-enqueues lost worker jobs from them).
    package static func locateWorker(
        _ nodeID: String, in plan: CompiledBlueprint
    ) -> (scatter: Int, spec: BatchPlan, index: Int)? {
        for s in plan.nodes.indices where plan.builtins[s] == .batchScatter {
            guard let spec = BatchPlan(scatter: plan.nodes[s]) else { continue }
            let prefix = "\(spec.workerUses)_\(spec.scatterID)_"
            guard nodeID.hasPrefix(prefix), let index = Int(nodeID.dropFirst(prefix.count)), index >= 0 else { continue }
            return (s, spec, index)
        }
        return nil
    }
}

/// A `batch-gather` node: the outputs of its batch's workers in item order (a worker that produced
/// nothing keeps its slot as `null`), written under `outputKey` (the node's id by default).
package struct BatchGather: Sendable {
    /// The batch gathered (`params.gatherNodeId`, the node's id by default).
    package let gatherID: String
    /// Where the results are written.
    package let outputKey: String

    package init(node: NodeDefinition) {
        gatherID = node.params["gatherNodeId"]?.stringValue ?? node.id
        outputKey = node.params["outputKey"]?.stringValue ?? node.id
    }

    /// Where the batch's worker ids are stored.
    package var workerIDsKey: String { ContextKeys.batchWorkerIDs(gather: gatherID) }

    /// The output keys to read for the worker ids stored under ``workerIDsKey``.
    package func outputKeys(workerIDs: JSONValue?) -> [String] {
        (workerIDs?.arrayValue ?? []).compactMap(\.stringValue).map(ContextKeys.output(of:))
    }

    /// The results, read through `value` (the worker ids stored under ``workerIDsKey``).
    package func results(workerIDs: JSONValue?, value: (String) -> JSONValue?) -> JSONValue {
        .array((workerIDs?.arrayValue ?? []).map { id in id.stringValue.flatMap { value(ContextKeys.output(of: $0)) } ?? .null })
    }

    /// The `batch:finish` event's payload.
    package func finishPayload(results: JSONValue) -> [String: JSONValue] {
        ["batchId": .string(gatherID), "gatherNodeId": .string(gatherID), "results": results]
    }
}

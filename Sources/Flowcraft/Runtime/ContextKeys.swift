/// The context keys the engines write, in one place, and which of them are internal.
///
/// A run's context holds, besides the initial context and the keys nodes write:
/// - `_outputs.<node>`: every node's output (a fallback's also under the node it replaced), and
///   `_inputs.<node>`: the input handed to a node along an edge (these two are Flowcraft's and the
///   seed's names; clients read them);
/// - a `batch-gather`'s `outputKey`;
/// - the engines' bookkeeping, all under ``reservedPrefix``: a batch's items, its worker ids and its
///   has-more flag, and (distributed) what a node returning dynamic nodes returned. Bookkeeping stays
///   in the run's state (gathers, redelivered jobs and persisted snapshots need it) but is left out
///   of every result a user sees: `WorkflowResult.context` and a distributed run's final status.
public enum ContextKeys {
    /// The prefix of every internal key. Keys under it are reserved for the engines.
    public static let reservedPrefix = "_flowcraft."

    /// Whether `key` is engine bookkeeping (under ``reservedPrefix``), never shown in a result.
    public static func isInternal(_ key: String) -> Bool {
        // `_f` first: a cheap reject for nearly every key (`_inputs.` and `_outputs.` keys too).
        var bytes = key.utf8.makeIterator()
        guard bytes.next() == UInt8(ascii: "_"), bytes.next() == UInt8(ascii: "f") else { return false }
        return key.hasPrefix(reservedPrefix)
    }

    /// `_outputs.<nodeID>`: a node's output.
    public static func output(of nodeID: String) -> String { ContextKeyPrefix.output + nodeID }

    /// Whether `key` is ``output(of:)`` of `nodeID` (compared in place: no key is built).
    package static func isOutputKey(_ key: String, of nodeID: String) -> Bool {
        let prefix = ContextKeyPrefix.output.utf8
        let keyBytes = key.utf8
        guard keyBytes.count == prefix.count + nodeID.utf8.count, keyBytes.starts(with: prefix) else { return false }
        return keyBytes.dropFirst(prefix.count).elementsEqual(nodeID.utf8)
    }

    /// `_inputs.<nodeID>`: the input handed to a node along an edge.
    public static func input(of nodeID: String) -> String { ContextKeyPrefix.input + nodeID }

    /// Where the completion of `item` (run as node `nodeID`) writes its output: `_outputs.<nodeID>`,
    /// and for a fallback also `_outputs.<failed node>` — the fallback takes the failed node's place.
    /// Both engines write these before routing, so conditions and transforms see them.
    package static func outputKeys(of item: WorkItem, nodeID: String, in plan: CompiledBlueprint) -> [String] {
        if let replaced = replacedNodeID(of: item, in: plan) { return [output(of: nodeID), output(of: replaced)] }
        return [output(of: nodeID)]
    }

    /// The node whose output key a completion of `item` also writes besides its own: the failed
    /// node a fallback replaces; `nil` for every other item.
    package static func replacedNodeID(of item: WorkItem, in plan: CompiledBlueprint) -> String? {
        guard case .fallback(let failed, _) = item, plan.nodes.indices.contains(failed) else { return nil }
        return plan.nodes[failed].id
    }

    /// The item of batch worker `index` of scatter `scatterID`.
    package static func batchItem(scatter scatterID: String, index: Int) -> String {
        "\(reservedPrefix)batch.\(scatterID).item.\(index)"
    }

    /// The item index of a batch worker that reads `inputs` (`.key` of a ``batchItem(scatter:index:)``
    /// key); `nil` for any other node.
    package static func batchItemIndex(readBy inputs: NodeInputs?) -> Int? {
        guard case .key(let key)? = inputs, key.hasPrefix(reservedPrefix + "batch.") else { return nil }
        let parts = key.split(separator: ".", omittingEmptySubsequences: false)
        guard parts.count >= 5, parts[parts.count - 2] == "item", let index = Int(parts[parts.count - 1]), index >= 0
        else { return nil }
        return index
    }

    /// The ids of the workers of the batch gathered by `gatherID`, in item order.
    package static func batchWorkerIDs(gather gatherID: String) -> String { "\(reservedPrefix)batch.\(gatherID).workerIds" }

    /// Whether more items are coming for the batch gathered by `gatherID` (always `false` today:
    /// a scatter hands out all its items at once).
    package static func batchHasMore(gather gatherID: String) -> String { "\(reservedPrefix)batch.\(gatherID).hasMore" }

    /// What `spawner` returned in `iteration` (its output, action and dynamic nodes), kept until the
    /// distributed engine routes from it after its dynamic nodes.
    package static func dynamicRecord(spawner: String, iteration: Int) -> String {
        "\(reservedPrefix)dynamic.\(spawner)#\(iteration)"
    }

    /// `context` without its internal keys (the same dictionary when it has none).
    public static func visible(_ context: [String: JSONValue]) -> [String: JSONValue] {
        guard context.keys.contains(where: isInternal) else { return context }
        return context.filter { !isInternal($0.key) }
    }
}

/// One unit of schedulable work in a run, identified by node index in a `CompiledBlueprint`.
package enum WorkItem: Sendable, Hashable, Codable {
    /// A node of the blueprint.
    case node(Int)
    /// Dynamic worker `slot` created by node `owner` (batch scatter, or a node returning dynamic
    /// nodes). The worker's definition is kept in the scheduler's batch state.
    case worker(owner: Int, slot: Int)
    /// Node `fallback` running in place of failed node `node`: on completion it routes along
    /// `node`'s edges (and its own).
    case fallback(node: Int, fallback: Int)

    /// The blueprint node whose definition runs for this item (`nil` for dynamic workers).
    package var executedNode: Int? {
        switch self {
        case .node(let n): return n
        case .fallback(_, let f): return f
        case .worker: return nil
        }
    }
}

/// Why an item is paused; kept in the scheduler state so a paused run can be serialized.
public enum AwaitReason: Sendable, Hashable, Codable {
    /// A `sleep` node, due at `wakeAt` (milliseconds since the Unix epoch on the runtime's clock).
    case sleep(wakeAt: Int64)
    /// A `wait` node, resumed by `resume(…, action:, output:)`.
    case wait
    /// A `subflow` node whose child run is itself awaiting.
    case subflow
}

/// A paused item.
package struct AwaitingItem: Sendable, Hashable, Codable {
    package var item: WorkItem
    package var nodeID: String
    package var reason: AwaitReason

    package init(item: WorkItem, nodeID: String, reason: AwaitReason) {
        self.item = item
        self.nodeID = nodeID
        self.reason = reason
    }
}

/// The dynamic workers of one node and how far they have been released.
package struct BatchProgress: Sendable, Hashable, Codable {
    package var workers: [NodeDefinition]
    /// How many workers run at once; the next chunk is released when the current one finished.
    package var chunkSize: Int
    /// Workers handed to the ready queue so far.
    package var released: Int
    /// Released workers not finished yet.
    package var outstanding: Int
    /// The owner's action, used to route once every worker finished.
    package var action: String?
    /// The item that returned the workers: `.node(owner)`, or `.fallback(node:fallback:)` when the
    /// owner ran as a fallback (it then routes along the failed node's edges too). `nil` only in
    /// state encoded before this was kept, and read as `.node(owner)`.
    package var spawner: WorkItem?
    /// The owner's output: its edge conditions and transforms see it, not a worker's. `nil` only in
    /// state encoded before this was kept.
    package var output: JSONValue?
}

/// What a batch's owner routes with once its last worker finished: its own item, output and action.
package struct BatchRouting: Sendable, Hashable {
    /// `.node(owner)`, or `.fallback(node:fallback:)` for a fallback that returned the workers.
    package var item: WorkItem
    package var output: JSONValue
    package var action: String?
}

/// Join bookkeeping of one node: the predecessors that arrived, live or dead, as sets (so a
/// redelivered arrival counts once).
package struct JoinProgress: Sendable, Hashable, Codable {
    package var live: Set<Int> = []
    package var dead: Set<Int> = []
    /// `any` joins: fired in the current round. `eachArrival`: fired at least once in the run.
    package var fired = false
}

/// What one completion changed: the edges taken, the items made ready (already queued), the nodes
/// skipped by dead-path elimination.
package struct RoutingOutcome: Sendable {
    /// Indices into `CompiledBlueprint.edges`.
    package var takenEdges: [Int] = []
    /// Edges evaluated and not taken (condition false).
    package var rejectedEdges: [Int] = []
    package var activated: [WorkItem] = []
    /// Node indices that will not run in this round because every path to them is dead.
    package var skipped: [Int] = []
    /// The first routed node whose action no edge routes, when the blueprint's policy makes that a
    /// failure (`RoutingRules`): the engine fails the run with `RoutingRules.unroutedMessage`.
    package var unrouted: UnroutedAction?

    package init() {}
}

/// One unit of schedulable work in a run, identified by node index in a `CompiledBlueprint`.
public enum WorkItem: Sendable, Hashable, Codable {
    /// A node of the blueprint.
    case node(Int)
    /// Dynamic worker `slot` created by node `owner` (batch scatter, or a node returning dynamic
    /// nodes). The worker's definition is kept in the scheduler's batch state.
    case worker(owner: Int, slot: Int)
    /// Node `fallback` running in place of failed node `node`: on completion it routes along
    /// `node`'s edges (and its own).
    case fallback(node: Int, fallback: Int)

    /// The blueprint node whose definition runs for this item (`nil` for dynamic workers).
    public var executedNode: Int? {
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
public struct AwaitingItem: Sendable, Hashable, Codable {
    public var item: WorkItem
    public var nodeID: String
    public var reason: AwaitReason

    public init(item: WorkItem, nodeID: String, reason: AwaitReason) {
        self.item = item
        self.nodeID = nodeID
        self.reason = reason
    }
}

/// The dynamic workers of one node and how far they have been released.
public struct BatchProgress: Sendable, Hashable, Codable {
    public var workers: [NodeDefinition]
    /// How many workers run at once; the next chunk is released when the current one finished.
    public var chunkSize: Int
    /// Workers handed to the ready queue so far.
    public var released: Int
    /// Released workers not finished yet.
    public var outstanding: Int
    /// The owner's action, used to route once every worker finished.
    public var action: String?
    /// The item that returned the workers: `.node(owner)`, or `.fallback(node:fallback:)` when the
    /// owner ran as a fallback (it then routes along the failed node's edges too). `nil` only in
    /// state encoded before this was kept, and read as `.node(owner)`.
    public var spawner: WorkItem?
    /// The owner's output: its edge conditions and transforms see it, not a worker's. `nil` only in
    /// state encoded before this was kept.
    public var output: JSONValue?
}

/// What a batch's owner routes with once its last worker finished: its own item, output and action.
public struct BatchRouting: Sendable, Hashable {
    /// `.node(owner)`, or `.fallback(node:fallback:)` for a fallback that returned the workers.
    public var item: WorkItem
    public var output: JSONValue
    public var action: String?
}

/// Join bookkeeping of one node: the predecessors that arrived, live or dead, as sets (so a
/// redelivered arrival counts once).
public struct JoinProgress: Sendable, Hashable, Codable {
    public var live: Set<Int> = []
    public var dead: Set<Int> = []
    /// `any` joins: fired in the current round. `eachArrival`: fired at least once in the run.
    public var fired = false
}

/// What one completion changed: the edges taken, the items made ready (already queued), the nodes
/// skipped by dead-path elimination.
public struct RoutingOutcome: Sendable {
    /// Indices into `CompiledBlueprint.edges`.
    public var takenEdges: [Int] = []
    /// Edges evaluated and not taken (condition false).
    public var rejectedEdges: [Int] = []
    public var activated: [WorkItem] = []
    /// Node indices that will not run in this round because every path to them is dead.
    public var skipped: [Int] = []
    /// The first routed node whose action no edge routes, when the blueprint's policy makes that a
    /// failure (`RoutingRules`): the engine fails the run with `RoutingRules.unroutedMessage`.
    public var unrouted: UnroutedAction?

    public init() {}
}

import FlowcraftModel

/// Graph facts of one blueprint, as `flowcraft inspect --json` prints them. Node lists are in file order.
public struct BlueprintAnalysis: Sendable, Hashable, Codable {
    /// The analysed blueprint's id.
    public var blueprintID: String
    /// How many nodes the blueprint has.
    public var nodeCount: Int
    /// How many edges the blueprint has.
    public var edgeCount: Int
    /// Where a run begins: nodes without incoming edges that are not some node's fallback, or, when
    /// every node has a predecessor, the declared `metadata.cycleEntryPoints`.
    public var startNodes: [String]
    /// Nodes without outgoing edges.
    public var terminalNodes: [String]
    /// Each cycle as the node ids of one strongly connected component (a component of several
    /// nodes, or one node with an edge to itself).
    public var cycles: [[String]]
    /// Whether the graph has no cycle.
    public var isAcyclic: Bool
    /// Nodes no run reaches from the start nodes (following edges and fallbacks).
    public var unreachableNodes: [String]
    /// Nodes grouped by topological level: the longest path from a start of the condensed graph,
    /// every node of a cycle sharing its cycle's level. Nodes of one level can run in parallel.
    public var levels: [[String]]
    /// Nodes with more than one distinct predecessor.
    public var joins: [JoinPoint]
    /// `all` joins fed by branches that exclude each other (siblings routed by different actions of
    /// the same node): one of them is always skipped.
    public var exclusiveJoins: [ExclusiveJoin]

    /// Graph facts as the analyzer found them; `isAcyclic` follows from `cycles`.
    public init(
        blueprintID: String, nodeCount: Int, edgeCount: Int, startNodes: [String], terminalNodes: [String],
        cycles: [[String]], unreachableNodes: [String], levels: [[String]], joins: [JoinPoint],
        exclusiveJoins: [ExclusiveJoin]
    ) {
        self.blueprintID = blueprintID
        self.nodeCount = nodeCount
        self.edgeCount = edgeCount
        self.startNodes = startNodes
        self.terminalNodes = terminalNodes
        self.cycles = cycles
        self.isAcyclic = cycles.isEmpty
        self.unreachableNodes = unreachableNodes
        self.levels = levels
        self.joins = joins
        self.exclusiveJoins = exclusiveJoins
    }
}

/// A node several predecessors lead to, and how it waits for them.
public struct JoinPoint: Sendable, Hashable, Codable {
    /// The join node's id.
    public var node: String
    /// Distinct predecessors, in file order of their edges.
    public var predecessors: [String]
    /// The node's `joinStrategy` (`all` unless the blueprint says otherwise).
    public var strategy: JoinStrategy

    /// A join at `node`.
    public init(node: String, predecessors: [String], strategy: JoinStrategy) {
        self.node = node
        self.predecessors = predecessors
        self.strategy = strategy
    }
}

/// An `all` join behind mutually exclusive branches of one routing node.
public struct ExclusiveJoin: Sendable, Hashable, Codable {
    /// One way into the join: the action taken at the router and the join's predecessor on that branch.
    public struct Branch: Sendable, Hashable, Codable, Comparable {
        /// `nil` for the router's unlabelled (default) edges, taken only when no action matched.
        public var action: String?
        /// The join's predecessor on this branch.
        public var predecessor: String

        /// A branch taken on `action` that reaches the join through `predecessor`.
        public init(action: String?, predecessor: String) {
            self.action = action
            self.predecessor = predecessor
        }

        public static func < (a: Branch, b: Branch) -> Bool {
            (a.action ?? "", a.predecessor) < (b.action ?? "", b.predecessor)
        }
    }

    /// The `all` join node's id.
    public var join: String
    /// The node whose action decides which branch runs.
    public var router: String
    /// At least two branches with different actions.
    public var branches: [Branch]

    /// An exclusive join at `join`, decided by `router`.
    public init(join: String, router: String, branches: [Branch]) {
        self.join = join
        self.router = router
        self.branches = branches
    }
}

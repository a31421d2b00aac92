import FlowcraftModel

/// What a run did on its blueprint, drawn over the graph (`flowcraft graph --run RUN`): a state per
/// node (styled by name: `completed`, `failed`, `skipped`, `running`, `waiting`, `not-reached`) and
/// the edges the run took (drawn thick and green). Engine-neutral: the caller derives it from a run's
/// history.
public struct GraphOverlay: Sendable, Hashable {
    /// An edge, by its ends and action.
    public struct Edge: Sendable, Hashable {
        /// The edge's source node id.
        public var source: String
        /// The edge's target node id.
        public var target: String
        /// The edge's action label, if any.
        public var action: String?

        /// The edge from `source` to `target` labelled `action`.
        public init(source: String, target: String, action: String?) {
            self.source = source
            self.target = target
            self.action = action
        }
    }

    /// Node id → state name.
    public var nodeStates: [String: String]
    /// The edges the run took, drawn thick.
    public var takenEdges: Set<Edge>

    /// An overlay of node states (by node id) and taken edges.
    public init(nodeStates: [String: String], takenEdges: Set<Edge>) {
        self.nodeStates = nodeStates
        self.takenEdges = takenEdges
    }

    func isTaken(_ edge: EdgeDefinition) -> Bool {
        takenEdges.contains(Edge(source: edge.source, target: edge.target, action: edge.action))
    }

    /// Fill and border colours of a state (`nil` for one drawn plainly).
    static func colours(of state: String) -> (fill: String, stroke: String)? {
        switch state {
        case "completed": return ("#c8e6c9", "#2e7d32")
        case "failed": return ("#ffcdd2", "#c62828")
        case "skipped": return ("#eeeeee", "#9e9e9e")
        case "running": return ("#bbdefb", "#1565c0")
        case "waiting": return ("#fff9c4", "#f9a825")
        default: return nil
        }
    }

    /// Every state name with colours, in a fixed order.
    static let styledStates = ["completed", "failed", "skipped", "running", "waiting"]
    /// The colour of a taken edge.
    static let takenColour = "#2e7d32"
}

import Flowcraft

/// `GET api/runs`: a page of runs, newest first.
struct RunsResponse: Encodable {
    var runs: [RunSummary]
    var nextCursor: String?
}

/// `GET api/runs/:id`: the run, its events and what the Run page derives from them.
struct RunDetailResponse: Encodable {
    struct TakenEdge: Encodable {
        var source: String
        var target: String
        var action: String?
    }

    struct ChildRun: Encodable {
        var nodeId: String
        var runId: String
    }

    var run: RunSummary
    var events: [RunHistoryEvent]
    var nodeStates: [String: String]
    var takenEdges: [TakenEdge]
    var waitingNodes: [String]
    var context: [String: JSONValue]
    var childRuns: [ChildRun]

    init(_ view: DashboardRunView, plan: CompiledBlueprint?) {
        run = view.summary
        events = view.events
        nodeStates = view.nodeStates.mapValues(\.rawValue)
        takenEdges = view.takenEdges.sorted().compactMap { index in
            guard let plan, index < plan.edges.count else { return nil }
            let edge = plan.edges[index]
            return TakenEdge(source: plan.nodes[edge.source].id, target: plan.nodes[edge.target].id, action: edge.action)
        }
        waitingNodes = view.waitingNodes
        context = view.context
        childRuns = view.childRuns.map { ChildRun(nodeId: $0.nodeID, runId: $0.runID) }
    }
}

/// `GET api/blueprints`: each blueprint, its findings and its layout.
struct BlueprintResponse: Encodable {
    struct Node: Encodable {
        var id: String
        var uses: String
        var level: Int
        var x: Double
        var y: Double
    }

    struct Edge: Encodable {
        var source: String
        var target: String
        var action: String?
        var backEdge: Bool
    }

    var id: String
    var version: String?
    var findings: [DashboardFinding]
    var nodes: [Node]
    var edges: [Edge]

    init(_ blueprint: DashboardBlueprint) {
        id = blueprint.id
        version = blueprint.version
        findings = blueprint.findings
        guard let plan = blueprint.plan else {
            nodes = []
            edges = []
            return
        }
        let layout = GraphLayout(plan: plan)
        nodes = layout.nodes.enumerated().map { index, box in
            Node(id: box.id, uses: plan.nodes[index].uses, level: box.level, x: box.x, y: box.y)
        }
        edges = plan.edges.enumerated().map { index, edge in
            Edge(
                source: plan.nodes[edge.source].id, target: plan.nodes[edge.target].id, action: edge.action,
                backEdge: plan.isBackEdge[index])
        }
    }
}

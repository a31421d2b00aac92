import FlowcraftModel

/// Finds mutually exclusive branches by tagging nodes with the routing decisions that dominate them.
///
/// A *router* is an acyclic node whose outgoing edges carry at least two different actions (the
/// unlabelled edges count as one more "default" action: they run only when no action matched).
/// Each (router, action) gets a tag whose parent is the router's own tag, so nested routing forms
/// a chain. A node inherits the tag of its incoming edges when they all agree (a node with one
/// predecessor always does). Two edges into a join whose chains contain the same router with
/// different actions come from branches that never both run. One pass in topological order: linear.
struct BranchTags {
    private struct Tag {
        let router: Int
        let action: String?
        let parent: Int
    }

    /// Chains deeper than this are cut: nesting beyond it is unrealistic and would cost quadratic time.
    static let maximumChainLength = 64

    private var tags: [Tag] = []
    private var nodeTag: [Int]
    /// Tag of each edge once known; `unknown` before.
    private var edgeTags: [Int]
    private static let unknown = -2
    private let blueprint: WorkflowBlueprint
    private let graph: BlueprintGraph
    private let isRouter: [Bool]

    init(blueprint: WorkflowBlueprint, graph: BlueprintGraph, isCyclic: [Bool], scc: StronglyConnectedComponents,
         componentStart: [Int], componentNodes: [Int]) {
        self.blueprint = blueprint
        self.graph = graph
        let n = graph.nodeCount
        var isRouter = [Bool](repeating: false, count: n)
        for v in 0..<n where !isCyclic[v] && graph.outDegree(v) > 1 {
            var first: String??
            for e in graph.outgoing(v) {
                let action = blueprint.edges[e].action
                if let f = first {
                    if f != action {
                        isRouter[v] = true
                        break
                    }
                } else {
                    first = .some(action)
                }
            }
        }
        self.isRouter = isRouter
        self.nodeTag = [Int](repeating: -1, count: n)
        self.edgeTags = [Int](repeating: BranchTags.unknown, count: blueprint.edges.count)
        // Components descend in topological order; only acyclic (single-node) components get tags.
        var c = scc.count - 1
        while c >= 0 {
            if scc.size[c] == 1 {
                let v = componentNodes[componentStart[c]]
                if !isCyclic[v] { nodeTag[v] = inheritedTag(v) }
            }
            c -= 1
        }
    }

    private mutating func inheritedTag(_ v: Int) -> Int {
        var agreed: Int?
        for e in graph.incoming(v) {
            let t = edgeTag(e)
            if t < 0 { return -1 }
            if let a = agreed, a != t { return -1 }
            agreed = t
        }
        return agreed ?? -1
    }

    private mutating func edgeTag(_ e: Int) -> Int {
        let s = graph.edgeSource[e]
        guard isRouter[s] else { return nodeTag[s] }
        if edgeTags[e] == BranchTags.unknown { tagOutgoingEdges(of: s) }
        return edgeTags[e]
    }

    /// Gives every outgoing edge of router `s` the tag of its action, once.
    private mutating func tagOutgoingEdges(of s: Int) {
        var byAction: [String?: Int] = [:]
        for e in graph.outgoing(s) {
            let action = blueprint.edges[e].action
            if let t = byAction[action] {
                edgeTags[e] = t
            } else {
                tags.append(Tag(router: s, action: action, parent: nodeTag[s]))
                byAction[action] = tags.count - 1
                edgeTags[e] = tags.count - 1
            }
        }
    }

    /// The exclusive branch groups into join `v`, one per router with conflicting actions.
    mutating func exclusiveBranches(into v: Int) -> [ExclusiveJoin] {
        // Two tagged ways in are needed for a conflict; most joins have none.
        var tagged = 0
        for e in graph.incoming(v) where edgeTag(e) >= 0 { tagged += 1 }
        guard tagged > 1 else { return [] }
        // router -> branches seen through it
        var byRouter: [Int: [ExclusiveJoin.Branch]] = [:]
        var routerOrder: [Int] = []
        for e in graph.incoming(v) {
            var t = edgeTag(e)
            var depth = 0
            while t >= 0 && depth < BranchTags.maximumChainLength {
                let tag = tags[t]
                let branch = ExclusiveJoin.Branch(action: tag.action, predecessor: graph.ids[graph.edgeSource[e]])
                if byRouter[tag.router] == nil { routerOrder.append(tag.router) }
                byRouter[tag.router, default: []].append(branch)
                t = tag.parent
                depth += 1
            }
        }
        var result: [ExclusiveJoin] = []
        for router in routerOrder.sorted() {
            guard let list = byRouter[router] else { continue }
            let unique = Array(Set(list)).sorted()
            let actions = Set(unique.map { $0.action ?? "\u{0}" })
            if actions.count > 1 {
                result.append(ExclusiveJoin(join: graph.ids[v], router: graph.ids[router], branches: unique))
            }
        }
        return result
    }
}

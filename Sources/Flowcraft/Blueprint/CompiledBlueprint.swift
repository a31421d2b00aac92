/// A blueprint prepared once for execution and shared by every run of it: a node index, adjacency
/// arrays, join modes and every expression already parsed.
///
/// Both engines (in-memory and distributed) schedule from this form; nothing in it changes while runs
/// execute, so it is freely shared across tasks.
public final class CompiledBlueprint: Sendable {
    /// The blueprint, with identifiers in Unicode NFC.
    public let blueprint: WorkflowBlueprint
    /// `blueprint.id`.
    public let id: String
    /// Node definitions by index (the blueprint's order).
    package let nodes: [NodeDefinition]
    /// Index of each node id.
    package let nodeIndex: [String: Int]
    /// Edges by index (the blueprint's order).
    package let edges: [CompiledEdge]
    /// Indices into `edges` leaving each node.
    package let outgoing: [[Int]]
    /// Number of distinct predecessor nodes of each node, not counting loop-back edges.
    package let predecessorCounts: [Int]
    /// Per edge: whether it closes a cycle (found by depth-first search from the start nodes).
    /// Arrivals along a back edge start a new round of their target (a loop iteration) instead of
    /// joining, and a dead back edge kills nothing.
    package let isBackEdge: [Bool]
    /// How each node waits for its predecessors.
    package let joinModes: [JoinMode]
    /// Index of each node's `config.fallback`, if any.
    package let fallbacks: [Int?]
    /// How many nodes name each node as their `config.fallback` (a fallback shared by several nodes
    /// resolves its own edges once per round: see `RunScheduler`).
    package let fallbackOwnerCounts: [Int]
    /// What an action no edge routes does (blueprint metadata `unroutedActions`, see `RoutingRules`).
    package let unroutedActions: UnroutedActionPolicy
    /// The built-in behind each node's `uses`, if it names one.
    package let builtins: [BuiltinNode?]
    /// Parsed `condition` of each loop-controller node.
    package let loopConditions: [Int: Expression]
    /// Nodes that run first: no predecessors and not only a fallback, else the cycle entry points
    /// (the shared rule, `StartNodes`).
    package let startNodes: [Int]
    /// Nodes without outgoing edges.
    package let terminalNodes: [Int]
    /// How the loops nest (the distributed engine numbers iterations per nesting level).
    package let loops: LoopNesting

    /// How a node with predecessors becomes ready.
    package enum JoinMode: Sendable, Hashable, Codable {
        /// Zero or one predecessor: ready on its arrival.
        case single
        /// Ready once every live predecessor arrived (dead ones count as resolved).
        case all
        /// Ready on the first live arrival.
        case any
        /// Ready on every live arrival: loop controllers, their `continue` targets, declared cycle
        /// entries, and nodes re-entered by a loop-back edge with at most one other predecessor.
        case eachArrival
    }

    /// Prepares `blueprint`, with its node ids and references in Unicode NFC
    /// (`WorkflowBlueprint.normalizingIdentifiers()`). Throws when an edge names an unknown node, a
    /// fallback is unknown, or an expression does not parse; the error carries the YAML location.
    public init(_ original: WorkflowBlueprint) throws(BlueprintPreparationError) {
        // Node ids and references compare as NFC in every engine (IdentifierNormalization).
        let blueprint = original.normalizingIdentifiers()
        self.blueprint = blueprint
        self.id = blueprint.id
        self.nodes = blueprint.nodes
        var index: [String: Int] = [:]
        index.reserveCapacity(nodes.count)
        for (i, node) in nodes.enumerated() {
            if index[node.id] != nil {
                throw BlueprintPreparationError(
                    blueprintID: blueprint.id, message: "duplicate node id '\(node.id)'", location: node.location)
            }
            index[node.id] = i
        }
        self.nodeIndex = index

        var compiledEdges: [CompiledEdge] = []
        compiledEdges.reserveCapacity(blueprint.edges.count)
        var outgoing = [[Int]](repeating: [], count: nodes.count)
        var predecessors = [[Int]](repeating: [], count: nodes.count)
        for edge in blueprint.edges {
            guard let source = index[edge.source] else {
                throw BlueprintPreparationError(
                    blueprintID: blueprint.id, message: "edge source '\(edge.source)' is not a node",
                    location: edge.location(of: "source"))
            }
            guard let target = index[edge.target] else {
                throw BlueprintPreparationError(
                    blueprintID: blueprint.id, message: "edge target '\(edge.target)' is not a node",
                    location: edge.location(of: "target"))
            }
            let condition = try Self.parse(edge.condition, field: "condition", edge: edge, blueprintID: blueprint.id)
            let transform = try Self.parse(edge.transform, field: "transform", edge: edge, blueprintID: blueprint.id)
            outgoing[source].append(compiledEdges.count)
            predecessors[target].append(source)
            compiledEdges.append(
                CompiledEdge(
                    source: source, target: target, action: edge.action, condition: condition,
                    transform: transform, definition: edge))
        }
        self.edges = compiledEdges
        self.outgoing = outgoing

        var builtins: [BuiltinNode?] = []
        builtins.reserveCapacity(nodes.count)
        var loopConditions: [Int: Expression] = [:]
        var fallbacks: [Int?] = []
        fallbacks.reserveCapacity(nodes.count)
        var isFallbackTarget = [Bool](repeating: false, count: nodes.count)
        var fallbackOwnerCounts = [Int](repeating: 0, count: nodes.count)
        for (i, node) in nodes.enumerated() {
            let builtin = BuiltinNode(rawValue: node.uses)
            builtins.append(builtin)
            if builtin == .loopController {
                guard case .string(let text)? = node.params["condition"] else {
                    throw BlueprintPreparationError(
                        blueprintID: blueprint.id,
                        message: "loop-controller '\(node.id)' needs a string 'condition' parameter",
                        location: node.location(of: "params.condition"))
                }
                do {
                    loopConditions[i] = try ExpressionParser.parse(text)
                } catch {
                    throw BlueprintPreparationError(
                        blueprintID: blueprint.id,
                        message: "loop-controller '\(node.id)' condition: \(error.description)",
                        location: node.location(of: "params.condition"))
                }
            }
            if let fallback = node.config.fallback {
                guard let f = index[fallback] else {
                    throw BlueprintPreparationError(
                        blueprintID: blueprint.id,
                        message: "node '\(node.id)' names unknown fallback '\(fallback)'",
                        location: node.location(of: "config.fallback"))
                }
                fallbacks.append(f)
                isFallbackTarget[f] = true
                fallbackOwnerCounts[f] += 1
            } else {
                fallbacks.append(nil)
            }
        }
        self.builtins = builtins
        self.loopConditions = loopConditions
        self.fallbacks = fallbacks
        self.fallbackOwnerCounts = fallbackOwnerCounts
        if let value = blueprint.metadata?.extra[UnroutedActionPolicy.metadataKey],
            value.stringValue.flatMap(UnroutedActionPolicy.init(rawValue:)) == nil
        {
            throw BlueprintPreparationError(
                blueprintID: blueprint.id,
                message: "metadata '\(UnroutedActionPolicy.metadataKey)' must be one of "
                    + UnroutedActionPolicy.allCases.map { "'\($0.rawValue)'" }.joined(separator: ", ") + ", got \(value)",
                location: blueprint.location)
        }
        self.unroutedActions = UnroutedActionPolicy(metadata: blueprint.metadata)

        var counts: [Int] = []
        counts.reserveCapacity(nodes.count)
        var modes: [JoinMode] = []
        modes.reserveCapacity(nodes.count)
        var terminals: [Int] = []
        let starts = StartNodes.indices(
            nodeCount: nodes.count, hasIncomingEdge: { !predecessors[$0].isEmpty },
            isFallbackTarget: { isFallbackTarget[$0] }, cycleEntryPoints: blueprint.metadata?.cycleEntryPoints,
            index: { index[$0] }
        ).indices
        let back = Self.findBackEdges(nodeCount: nodes.count, edges: compiledEdges, outgoing: outgoing, starts: starts)
        var forward = [[Int]](repeating: [], count: nodes.count)
        var eachArrival = [Bool](repeating: false, count: nodes.count)
        for (e, edge) in compiledEdges.enumerated() {
            if back[e] { eachArrival[edge.target] = true } else { forward[edge.target].append(edge.source) }
        }
        for (i, builtin) in builtins.enumerated() where builtin == .loopController {
            eachArrival[i] = true
            for e in outgoing[i] where compiledEdges[e].action == "continue" { eachArrival[compiledEdges[e].target] = true }
        }
        for entry in blueprint.metadata?.cycleEntryPoints ?? [] {
            if let i = index[entry] { eachArrival[i] = true }
        }
        for i in nodes.indices {
            // Distinct predecessors: two edges from one node count once.
            let distinct = forward[i].count <= 1 ? forward[i].count : Set(forward[i]).count
            counts.append(distinct)
            let reentered = builtins[i] == .loopController || distinct <= 1
            if eachArrival[i] && reentered {
                modes.append(.eachArrival)
            } else if distinct <= 1 {
                modes.append(.single)
            } else {
                modes.append(nodes[i].config.joinStrategy == .any ? .any : .all)
            }
            if outgoing[i].isEmpty { terminals.append(i) }
        }
        self.isBackEdge = back
        self.predecessorCounts = counts
        self.joinModes = modes
        self.startNodes = starts
        self.terminalNodes = terminals
        self.loops = LoopNesting(nodeCount: nodes.count, edges: compiledEdges, outgoing: outgoing, builtins: builtins)
    }

    /// Edges that close a cycle: an iterative depth-first search from the start nodes (then from any
    /// node not reached) marks an edge whose target is still on the search path.
    static func findBackEdges(nodeCount: Int, edges: [CompiledEdge], outgoing: [[Int]], starts: [Int]) -> [Bool] {
        var back = [Bool](repeating: false, count: edges.count)
        // 0 unvisited, 1 on the path, 2 done.
        var color = [UInt8](repeating: 0, count: nodeCount)
        var stack: [(node: Int, next: Int)] = []
        for root in starts + Array(0..<nodeCount) where color[root] == 0 {
            color[root] = 1
            stack.append((root, 0))
            while let top = stack.last {
                let out = outgoing[top.node]
                if top.next < out.count {
                    stack[stack.count - 1].next += 1
                    let e = out[top.next]
                    let t = edges[e].target
                    if color[t] == 1 {
                        back[e] = true
                    } else if color[t] == 0 {
                        color[t] = 1
                        stack.append((t, 0))
                    }
                } else {
                    color[top.node] = 2
                    stack.removeLast()
                }
            }
        }
        return back
    }

    /// The node with id `nodeID`.
    package func node(_ nodeID: String) -> NodeDefinition? {
        nodeIndex[nodeID].map { nodes[$0] }
    }

    private static func parse(
        _ text: String?, field: String, edge: EdgeDefinition, blueprintID: String
    ) throws(BlueprintPreparationError) -> Expression? {
        guard let text else { return nil }
        do {
            return try ExpressionParser.parse(text)
        } catch {
            var location = edge.location(of: field)
            if let base = edge.fieldLocations[field] { location = base.advanced(byColumns: error.offset) }
            throw BlueprintPreparationError(
                blueprintID: blueprintID,
                message: "edge \(edge.source) -> \(edge.target) \(field): \(error.message)",
                location: location)
        }
    }

    /// Whether taking edge `e` writes its target's `_inputs.<id>` (Flowcraft: when the target has one
    /// predecessor, declares `inputs`, or the edge transforms). Both engines route by this rule.
    package func writesTargetInput(edge e: Int) -> Bool {
        let edge = edges[e]
        return edge.transform != nil || predecessorCounts[edge.target] == 1 || nodes[edge.target].inputs != nil
    }
}

/// An edge with its endpoints as node indices and its expressions parsed.
package struct CompiledEdge: Sendable {
    package let source: Int
    package let target: Int
    package let action: String?
    package let condition: Expression?
    package let transform: Expression?
    package let definition: EdgeDefinition
}

/// A blueprint that cannot be prepared for execution.
public struct BlueprintPreparationError: Error, Sendable, Hashable, CustomStringConvertible {
    /// The blueprint that could not be compiled.
    public var blueprintID: String
    /// What is wrong.
    public var message: String
    /// Where in the YAML.
    public var location: SourceLocation?

    /// An error about `blueprintID`.
    public init(blueprintID: String, message: String, location: SourceLocation?) {
        self.blueprintID = blueprintID
        self.message = message
        self.location = location
    }

    public var description: String {
        let prefix = location.map { "\($0): " } ?? ""
        return "\(prefix)blueprint '\(blueprintID)': \(message)"
    }
}

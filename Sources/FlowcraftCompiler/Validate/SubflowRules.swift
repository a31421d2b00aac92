import FlowcraftModel

/// `INVALID_SUBFLOW_BLUEPRINT_ID` (resolved across the whole set, with did-you-mean) and
/// `SUBFLOW_CYCLE` (blueprints that call each other as subflows, which would recurse forever).
enum SubflowRules {
    static func check(_ set: ValidationSet, _ out: inout [Diagnostic]) {
        let allIDs = set.blueprints.map(\.id)
        // Calls between blueprints: (caller, callee, node index), for the cycle search.
        var calls: [(from: Int, to: Int, node: Int)] = []
        for (b, blueprint) in set.blueprints.enumerated() {
            for v in blueprint.nodes.indices where blueprint.nodes[v].uses == BuiltinNode.subflow.rawValue {
                let node = blueprint.nodes[v]
                guard case .string(let id)? = node.params["blueprintId"] else { continue }  // kind checked elsewhere
                if let callee = set.blueprintIndex[id] {
                    calls.append((b, callee, v))
                } else {
                    out.append(.error(.invalidSubflowBlueprintID,
                        "subflow '\(node.id)' calls blueprint '\(id)', which is not among the compiled blueprints\(DidYouMean.hint(for: id, among: allIDs))",
                        at: node.location(of: "params.blueprintId")))
                }
            }
        }
        guard !calls.isEmpty else { return }
        let n = set.blueprints.count
        let sorted = calls.sorted { ($0.from, $0.node) < ($1.from, $1.node) }
        var start = [Int](repeating: 0, count: n + 1)
        for call in sorted { start[call.from + 1] += 1 }
        for i in 0..<n { start[i + 1] += start[i] }
        let targets = sorted.map(\.to)
        let scc = StronglyConnectedComponents(count: n, start: start, targets: targets)
        var reported = Set<Int>()
        for call in sorted {
            let c = scc.component[call.from]
            guard scc.component[call.to] == c, scc.size[c] > 1 || call.from == call.to else { continue }
            guard reported.insert(c).inserted else { continue }
            let members = (0..<n).filter { scc.component[$0] == c }.map { "'\(set.blueprints[$0].id)'" }
            let node = set.blueprints[call.from].nodes[call.node]
            let text = call.from == call.to
                ? "blueprint '\(set.blueprints[call.from].id)' calls itself through subflow '\(node.id)'"
                : "blueprints \(members.joined(separator: ", ")) call each other as subflows (through '\(node.id)' here)"
            out.append(.error(.subflowCycle, "\(text); the run would never end", at: node.location(of: "params.blueprintId")))
        }
    }
}

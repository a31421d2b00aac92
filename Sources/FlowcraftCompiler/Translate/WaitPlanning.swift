import FlowcraftModel

extension CodegenPlanner {
    /// Names the action enum and `resume` label of every `wait` node whose edges route on actions.
    ///
    /// The enum is `<Blueprint><Node>Action` (one per node: two blueprints may route the same node id
    /// differently). The label is the node id as a member name (`resume(run, approval: .approve)`);
    /// when several blueprints have a routed `wait` node with that label, each is prefixed with its
    /// blueprint id (`reviewFlowApproval:`), so `.approve` never resolves ambiguously.
    func planWaits(_ plan: inout CodegenPlan, _ scope: inout IdentifierScope) {
        var labelUses: [String: Int] = [:]
        for i in plan.blueprints.indices {
            let blueprint = plan.blueprints[i].model
            for node in blueprint.nodes where node.uses == BuiltinNode.wait.rawValue {
                var keys: [String] = []
                for edge in blueprint.edges where edge.source == node.id {
                    if let action = edge.action, !keys.contains(action) { keys.append(action) }
                }
                guard !keys.isEmpty else { continue }
                let typeName = SwiftIdentifier.typeName(blueprint.id) + SwiftIdentifier.typeName(node.id) + "Action"
                guard scope.claim(typeName, key: "\(blueprint.id).\(node.id)", what: "wait node", at: node.location) else {
                    continue
                }
                var caseScope = IdentifierScope("case name of '\(typeName)'")
                var actions: [(key: String, caseName: String)] = []
                for key in keys {
                    let name = SwiftIdentifier.memberName(key)
                    if caseScope.claim(name, key: key, what: "action", at: node.location) { actions.append((key, name)) }
                }
                plan.diagnostics += caseScope.diagnostics
                let label = SwiftIdentifier.memberName(node.id)
                labelUses[label, default: 0] += 1
                plan.blueprints[i].waits.append(CodegenPlan.Wait(
                    nodeID: node.id, typeName: typeName, label: label, actions: actions, location: node.location))
            }
        }
        for i in plan.blueprints.indices {
            for w in plan.blueprints[i].waits.indices where labelUses[plan.blueprints[i].waits[w].label, default: 0] > 1 {
                plan.blueprints[i].waits[w].label = SwiftIdentifier.memberName(
                    plan.blueprints[i].model.id + "-" + plan.blueprints[i].waits[w].nodeID)
            }
        }
    }
}

import FlowcraftModel

/// TEMPORARY: stands in for `BlueprintSetValidator` until the Validate/ stage lands; deleted then.
enum PendingRulesStages {
    static func validate(_ blueprints: [WorkflowBlueprint]) -> [Diagnostic] { [] }
}

import FlowcraftModel

/// Runs every validation rule over a set of blueprints and collects all findings.
public enum BlueprintSetValidator {
    public static func validate(_ blueprints: [WorkflowBlueprint]) -> [Diagnostic] {
        []
    }
}

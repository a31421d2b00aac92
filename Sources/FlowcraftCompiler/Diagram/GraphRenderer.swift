import FlowcraftModel

/// Draws a blueprint in the chosen `GraphFormat`.
public enum GraphRenderer {
    /// The text of `blueprint` drawn as `format`: nodes, edges with their actions and conditions,
    /// fallbacks dashed.
    public static func render(_ blueprint: WorkflowBlueprint, as format: GraphFormat) -> String {
        render(blueprint, as: format, overlay: nil)
    }

    /// Draws `blueprint` with a run's node states and taken edges (``GraphOverlay``) when given.
    public static func render(_ blueprint: WorkflowBlueprint, as format: GraphFormat, overlay: GraphOverlay?) -> String {
        switch format {
        case .mermaid: return MermaidGraphRenderer.render(blueprint, overlay: overlay)
        case .dot: return DOTGraphRenderer.render(blueprint, overlay: overlay)
        }
    }
}

import FlowcraftModel

/// Draws a blueprint in the chosen `GraphFormat`.
public enum GraphRenderer {
    /// The text of `blueprint` drawn as `format`: nodes, edges with their actions and conditions,
    /// fallbacks dashed.
    public static func render(_ blueprint: WorkflowBlueprint, as format: GraphFormat) -> String {
        switch format {
        case .mermaid: return MermaidGraphRenderer.render(blueprint)
        case .dot: return DOTGraphRenderer.render(blueprint)
        }
    }
}

/// Text formats `flowcraft graph` can draw a blueprint in.
public enum GraphFormat: String, Sendable, CaseIterable {
    /// A Mermaid `flowchart` (renders in GitHub and many Markdown viewers).
    case mermaid
    /// Graphviz DOT (`dot -Tsvg`).
    case dot
}

/// Text formats `flowcraft graph` can draw a blueprint in.
public enum GraphFormat: String, Sendable, CaseIterable {
    case mermaid
    case dot
}

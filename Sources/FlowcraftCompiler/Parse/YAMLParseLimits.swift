/// Bounds that keep hostile input (alias bombs, deep nesting, huge files) from exhausting time,
/// memory or the stack. The defaults are far above any real blueprint.
public struct YAMLParseLimits: Sendable, Hashable {
    /// Inputs larger than this are rejected before parsing (`INPUT_TOO_LARGE`).
    public var maxInputBytes: Int
    /// Deepest nesting of collections, counting those reached through aliases.
    public var maxDepth: Int
    /// Most syntax-tree nodes that aliases may stand for in one document, counted as if expanded.
    public var maxAliasExpansion: Int

    /// Limits; the defaults are 64 MiB, 512 levels and 2 000 000 expanded nodes.
    public init(maxInputBytes: Int = 64 << 20, maxDepth: Int = 512, maxAliasExpansion: Int = 2_000_000) {
        self.maxInputBytes = maxInputBytes
        self.maxDepth = maxDepth
        self.maxAliasExpansion = maxAliasExpansion
    }

    /// The default limits.
    public static let `default` = YAMLParseLimits()
}

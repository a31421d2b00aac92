/// The prefixes of the context keys the engines write for nodes, shared by the runtime
/// (`ContextKeys`, which every engine goes through) and the compiler (generated entry points read a
/// start node's input key), which cannot import the runtime.
package enum ContextKeyPrefix {
    /// `_outputs.<node>`: a node's output.
    package static let output = "_outputs."
    /// `_inputs.<node>`: the input handed to a node along an edge.
    package static let input = "_inputs."
}

/// How a `subflow` node's run and its child run exchange values: the one rule both engines apply
/// (the in-memory `SubflowCall` and the distributed engine's subflow step).
///
/// - Input: `params.inputs` maps child context keys to parent keys (`{childKey: parentKey}`); a
///   parent key is read raw, then as `_outputs.<key>`, else `null`. Without it the node's input (when
///   not `null`) becomes the input (`_inputs.<id>`) of each of the child's start nodes.
/// - Output: `params.outputs` maps parent keys to child keys (`{parentKey: childKey}`); a child key is
///   read as `_outputs.<key>`, then raw, else `null`, and written to the parent in parent-key order;
///   the node's output is then the child's final context. Without it the node's output is the single
///   terminal node's output, or an object of every terminal's output by node id.
///
/// Mapping entries whose value is not a string are ignored (the compiler reports them).
package struct SubflowMapping: Sendable {
    /// `params.inputs` as (child key, parent key) pairs; `nil` when the node has no input mapping.
    package let inputs: [(child: String, parent: String)]?
    /// `params.outputs` as (parent key, child key) pairs in parent-key order; `nil` without one.
    package let outputs: [(parent: String, child: String)]?

    /// The mapping of a subflow node's `params`.
    package init(params: [String: JSONValue]) {
        if case .object(let mapping)? = params["inputs"] {
            inputs = mapping.compactMap { childKey, source in source.stringValue.map { (childKey, $0) } }
        } else {
            inputs = nil
        }
        if case .object(let mapping)? = params["outputs"] {
            outputs = mapping.sorted { $0.key < $1.key }.compactMap { parentKey, source in
                source.stringValue.map { (parentKey, $0) }
            }
        } else {
            outputs = nil
        }
    }

    /// The blueprint id a subflow node's `params.blueprintId` names, if it is a string.
    package static func blueprintID(of params: [String: JSONValue]) -> String? {
        guard case .string(let id)? = params["blueprintId"] else { return nil }
        return id
    }

    /// The failure of a subflow node whose child blueprint is not loaded.
    package static func notLoadedMessage(_ params: [String: JSONValue]) -> String {
        "subflow blueprint '\(params["blueprintId"]?.stringValue ?? "(missing)")' is not loaded"
    }

    /// The failure of a subflow node nested deeper than `limit` levels.
    package static func tooDeepMessage(limit: Int) -> String { "subflows nest deeper than \(limit) levels" }

    /// The failure of a subflow node whose child run failed with `reason`.
    package static func childFailedMessage(blueprintID: String, reason: String?) -> String {
        "subflow '\(blueprintID)' failed: \(reason ?? "unknown error")"
    }

    /// The parent keys the input mapping reads, each raw and as `_outputs.<key>` (empty without an
    /// input mapping).
    package var parentKeysRead: [String] {
        guard let inputs, !inputs.isEmpty else { return [] }
        return inputs.map(\.parent) + inputs.map { ContextKeys.output(of: $0.parent) }
    }

    /// The child run's initial context: the mapped parent values (read through `parentValue`), or the
    /// node's `input` for each of `childStartNodeIDs`.
    package func childContext(
        input: JSONValue, childStartNodeIDs: [String], parentValue: (String) -> JSONValue?
    ) -> [String: JSONValue] {
        var initial: [String: JSONValue] = [:]
        if let inputs {
            for (child, parent) in inputs {
                initial[child] = parentValue(parent) ?? parentValue(ContextKeys.output(of: parent)) ?? .null
            }
        } else if input != .null {
            for id in childStartNodeIDs { initial[ContextKeys.input(of: id)] = input }
        }
        return initial
    }

    /// What a completed child hands back: the parent keys to write (in order) and the node's output.
    package func completion(
        childContext context: [String: JSONValue], terminalNodeIDs: [String]
    ) -> (writes: [(key: String, value: JSONValue)], output: JSONValue) {
        if let outputs {
            let writes = outputs.map { parent, child in
                (key: parent, value: context[ContextKeys.output(of: child)] ?? context[child] ?? .null)
            }
            return (writes, .object(context))
        }
        if terminalNodeIDs.count == 1 {
            return ([], context[ContextKeys.output(of: terminalNodeIDs[0])] ?? .null)
        }
        var outputs: [String: JSONValue] = [:]
        for id in terminalNodeIDs { outputs[id] = context[ContextKeys.output(of: id)] ?? .null }
        return ([], .object(outputs))
    }
}

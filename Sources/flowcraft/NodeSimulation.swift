import ArgumentParser
import Flowcraft
import FlowcraftCompiler
import Foundation

/// What `--simulate` makes user nodes do, shared by `flowcraft run` and `flowcraft worker` so both
/// commands give `--action`, `--output`, `--fail` and `--dynamic` one meaning.
///
/// A simulated node returns its input (or its `--output`), the `--action` given for its node id and
/// its `--dynamic` nodes. `--fail NODE=N` makes the first N attempts of *each execution* of NODE throw
/// (attempt numbers count within the node's `maxRetries`, as `NodeContext.attempt` gives them in
/// every engine and retry mode); `--fail NODE` makes every attempt throw.
struct NodeSimulation: Sendable {
    /// The action each simulated node returns, by node id.
    var actions: [String: String] = [:]
    /// The output each simulated node returns instead of its input, by node id.
    var outputs: [String: JSONValue] = [:]
    /// How many leading attempts of each execution fail, by node id (`Int.max`: every attempt).
    var failures: [String: Int] = [:]
    /// The dynamic nodes each simulated node returns, by node id (see ``SimulatedDynamicNodes``).
    var dynamicNodes: [String: [NodeDefinition]] = [:]
    /// Milliseconds each simulated node works before returning.
    var workMilliseconds = 0

    /// Parses `NODE=VALUE` pairs of `option`.
    static func pairs(_ items: [String], option: String) throws -> [String: String] {
        var map: [String: String] = [:]
        for item in items {
            let parts = item.split(separator: "=", maxSplits: 1).map(String.init)
            guard parts.count == 2, !parts[0].isEmpty else { throw ValidationError("\(option) expects NODE=VALUE, got '\(item)'") }
            map[parts[0]] = parts[1]
        }
        return map
    }

    /// Parses `--fail NODE[=N]` values: N leading attempts of each execution fail (a whole number
    /// from 0); no N: every attempt.
    static func failures(_ items: [String]) throws -> [String: Int] {
        var map: [String: Int] = [:]
        for item in items {
            let parts = item.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false).map(String.init)
            guard let node = parts.first, !node.isEmpty else { throw ValidationError("--fail expects NODE[=N], got '\(item)'") }
            if parts.count == 2 {
                guard let count = Int(parts[1]), count >= 0 else {
                    throw ValidationError("--fail \(item): N must be a whole number from 0, got '\(parts[1])'")
                }
                map[node] = count
            } else {
                map[node] = Int.max
            }
        }
        return map
    }

    /// Every `uses` key a run of the blueprints can execute that is not a built-in: the nodes' own
    /// `uses` and every `batch-scatter`'s `workerUsesKey` (subflows are among `blueprints`).
    static func userKeys(of blueprints: [WorkflowBlueprint]) -> Set<String> {
        var keys: Set<String> = []
        for blueprint in blueprints {
            for node in blueprint.nodes {
                keys.formUnion(userKeys(of: node))
            }
        }
        return keys
    }

    /// Refuses a node name given to `option` (`--action`, `--output`, `--fail`) that nothing in
    /// `blueprints` can run — a typo would otherwise leave the run unchanged and passing. Accepted: a
    /// node id, a batch worker of a scatter (`<workerUsesKey>_<scatter>_<index>`) and a dynamic node
    /// (`<node>-d<index>`).
    static func checkNodeNames(_ names: some Sequence<String>, option: String, in blueprints: [WorkflowBlueprint]) throws {
        var ids: Set<String> = []
        var workerPrefixes: [String] = []
        for blueprint in blueprints {
            for node in blueprint.nodes {
                ids.insert(node.id)
                if node.uses == BuiltinNode.batchScatter.rawValue, let worker = node.params["workerUsesKey"]?.stringValue {
                    workerPrefixes.append("\(worker)_\(node.id)_")
                }
            }
        }
        func isIndex(_ text: Substring) -> Bool { !text.isEmpty && text.allSatisfy(\.isASCII) && Int(text) != nil }
        for name in names.sorted() where !ids.contains(name) {
            if workerPrefixes.contains(where: { name.hasPrefix($0) && isIndex(name.dropFirst($0.count)) }) { continue }
            if let marker = name.range(of: "-d", options: .backwards), ids.contains(String(name[..<marker.lowerBound])),
                isIndex(name[marker.upperBound...])
            {
                continue
            }
            // Found once the blueprints are read (in `run()`): reported here, where a ValidationError
            // would print the root command's usage line.
            StandardStreams.error("error: \(option): no node '\(name)' in the loaded blueprints\(DidYouMean.hint(for: name, among: ids))\n")
            throw ExitCode(2)
        }
    }

    /// The non-built-in `uses` keys running `node` can execute: its own, or a batch's worker key.
    static func userKeys(of node: NodeDefinition) -> [String] {
        var keys: [String] = []
        if BuiltinNode(rawValue: node.uses) == nil { keys.append(node.uses) }
        if node.uses == BuiltinNode.batchScatter.rawValue, let worker = node.params["workerUsesKey"]?.stringValue,
            BuiltinNode(rawValue: worker) == nil
        {
            keys.append(worker)
        }
        return keys
    }

    /// The actions simulated nodes return: `given` (`--action`), and for every other node whose edges
    /// are all labelled (no default edge) the first action they route — any other would fail the run
    /// with NO_ROUTE.
    static func actions(given: [String: String], for blueprints: [WorkflowBlueprint]) -> [String: String] {
        var actions: [String: String] = [:]
        for blueprint in blueprints {
            guard let plan = try? CompiledBlueprint(blueprint) else { continue }
            for n in plan.nodes.indices where !RoutingRules.routes(plan, node: n, action: nil) {
                if let first = RoutingRules.routedActions(plan, node: n).first { actions[plan.nodes[n].id] = first }
            }
        }
        return actions.merging(given) { _, given in given }
    }

    /// A registry with the simulated implementation under every user key of `blueprints` (node `uses`
    /// and batch worker keys).
    func registry(for blueprints: [WorkflowBlueprint]) -> NodeRegistry {
        var registry = NodeRegistry()
        let node = SimulatedNode(simulation: self)
        for key in Self.userKeys(of: blueprints) { registry.register(key, node) }
        return registry
    }
}

/// The stand-in for every user node under `--simulate` (see ``NodeSimulation``).
struct SimulatedNode: NodeImplementation {
    let simulation: NodeSimulation

    func run(_ context: NodeContext) async throws -> NodeResult {
        if simulation.workMilliseconds > 0 { try await Task.sleep(for: .milliseconds(simulation.workMilliseconds)) }
        if let failing = simulation.failures[context.nodeID], context.attempt <= failing {
            throw SimulatedFailure(nodeID: context.nodeID, attempt: context.attempt)
        }
        return NodeResult(
            output: simulation.outputs[context.nodeID] ?? context.input, action: simulation.actions[context.nodeID],
            dynamicNodes: simulation.dynamicNodes[context.nodeID] ?? [])
    }
}

/// The failure a simulated node throws for `--fail`.
struct SimulatedFailure: Error, CustomStringConvertible {
    let nodeID: String
    let attempt: Int
    var description: String { "simulated failure of '\(nodeID)' (attempt \(attempt), --fail)" }
}

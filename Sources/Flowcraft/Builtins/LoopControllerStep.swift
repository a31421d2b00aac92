/// What a `loop-controller` node returns for one evaluation, shared by the in-memory and the
/// distributed engine so both route, count and cap loops the same way.
package enum LoopControllerStep {
    /// The cap on iterations when neither `params.maxIterations` nor the runtime sets one.
    package static var defaultMaximumIterations: Int { FlowRuntime.defaultMaximumLoopIterations }

    /// The iteration cap of `node`: its `maxIterations` param, else `fallback`.
    package static func cap(of node: NodeDefinition, default fallback: Int) -> Int {
        node.params["maxIterations"]?.intValue ?? fallback
    }

    /// The loop condition no longer holds after `iterations` rounds: take the `break` edges.
    package static func breakResult(iterations: Int) -> NodeResult {
        NodeResult(output: ["iteration": .int(iterations), "continue": false], action: "break")
    }

    /// The most rounds a loop may count per entry (``BuiltinNode/maximumLoopIterations``).
    package static var maximumIterations: Int { BuiltinNode.maximumLoopIterations }

    /// The condition holds and round `iteration` (1-based) starts: take the `continue` edges, or fail
    /// fatally once the cap is passed. A cap outside 1…``maximumIterations`` (a blueprint built in
    /// code; the compiler reports it) fails the loop at its first `continue`.
    package static func continueResult(iteration: Int, cap: Int) -> Result<NodeResult, FatalNodeError> {
        guard (1...maximumIterations).contains(cap) else {
            return .failure(FatalNodeError(
                "params.maxIterations is \(cap), outside the allowed range 1...\(maximumIterations) (the loop iteration bound)"))
        }
        guard iteration <= cap else {
            return .failure(
                FatalNodeError("loop did not finish within its iteration cap of \(cap) (set params.maxIterations to raise it)"))
        }
        return .success(NodeResult(output: ["iteration": .int(iteration), "continue": true], action: "continue"))
    }
}
